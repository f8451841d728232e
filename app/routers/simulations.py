"""POST /simulations and GET /simulations/{id}: a reform run on the population with the same
rules, in the background (``llr:statistics:read``); aggregates only, small cells suppressed."""

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request, Response

from app.auth import require
from app.deps import SessionDep, TodayDep
from app.domain.access import Principal
from app.domain.errors import NotFound
from app.domain.simulation import service
from app.domain.simulation.service import SimulationBusy
from app.schemas.problems import problem_responses
from app.schemas.simulations import SimulationCreated, SimulationIn, SimulationOut

router = APIRouter(tags=["simulations"], responses=problem_responses())
ReaderDep = Annotated[Principal, Depends(require("llr:statistics:read"))]
ByQuery = Annotated[
    list[str],
    Query(
        max_length=2,
        description="Up to two monitoring dimensions to break the result down by (default "
        "educationLevel; repeated, or comma separated)",
    ),
]


@router.post(
    "/simulations",
    operation_id="createSimulation",
    summary="Simulate a reform on the population (runs in the background)",
    description="A reform overrides dated parameters (`reform.parameters`, or a shipped "
    "`reformName`); the same rules engine runs baseline and reform on the facts valid on each "
    "incentive's reference date, never writing to the ledger. `periods` > 1: a multi-year run "
    "of that many periods with carry-over, citizens using their group's observed take-up "
    "(`takeUpBy`, from monitoring's most recent closed period). 202 with `Location`; one "
    "running simulation per partner (409 `simulationRunning`). Scope `llr:statistics:read`.",
    status_code=202,
    response_model=SimulationCreated,
    responses=problem_responses(SimulationBusy),
)
async def create_simulation(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: ReaderDep,
    body: SimulationIn,
    background: BackgroundTasks,
    today: TodayDep,
) -> SimulationCreated:
    asked = service.parse_request(
        body.name, body.period, body.reform, body.reform_name, body.periods, body.take_up_by
    )
    sim_id = await service.create(session, principal.partner, asked)
    state = request.app.state
    where = service.Launch(state.sessionmaker, state.settings.simulation_workers, today, principal)
    background.add_task(service.launch, where, sim_id, asked)
    response.headers["Location"] = f"/simulations/{sim_id}"
    return SimulationCreated(id=str(sim_id), status="running")


@router.get(
    "/simulations/{simulationId}",
    operation_id="getSimulation",
    summary="A simulation: its progress, then baseline and reform per incentive and group",
    description="While it runs: status and progress. Then, for baseline and reform per "
    "incentive: beneficiaries, entitlement, public cost and the citizens' share, gainers and "
    "losers, per group of up to two `by` dimensions with the monitoring's suppression. Another "
    "partner's simulation is 404.",
    response_model=SimulationOut,
    responses=problem_responses(NotFound),
)
async def get_simulation(
    session: SessionDep,
    principal: ReaderDep,
    simulation_id: Annotated[
        uuid.UUID, Path(alias="simulationId", description="The simulation's id (a UUID)")
    ],
    by: ByQuery = [],  # noqa: B006 - FastAPI copies the default
) -> SimulationOut:
    dimensions = service.parse_by(by or ["educationLevel"])
    found = await service.find(session, principal.partner, simulation_id)
    return SimulationOut.of(found, dimensions)
