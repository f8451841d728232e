"""POST /simulations and GET /simulations/{id}: a reform run on the population with the same
rules, in the background (``llr:statistics:read``); aggregates only, small cells suppressed."""

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response

from app.auth import AUTH_RESPONSES, require
from app.deps import SessionDep
from app.domain.access import Principal
from app.domain.simulation import service
from app.routers.problem_docs import problem_responses
from app.routers.simulation_schemas import SimulationCreated, SimulationIn, SimulationOut

router = APIRouter(tags=["simulations"], responses=problem_responses() | AUTH_RESPONSES)
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
    status_code=202,
    response_model=SimulationCreated,
    responses={409: {"description": "The partner already has a simulation running"}},
)
async def create_simulation(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: ReaderDep,
    body: SimulationIn,
    background: BackgroundTasks,
) -> SimulationCreated:
    asked = service.parse_request(body.name, body.period, body.reform, body.reform_name)
    sim_id = await service.create(session, principal.partner, asked)
    background.add_task(
        service.launch,
        request.app.state.sessionmaker,
        sim_id,
        asked,
        request.app.state.settings.simulation_workers,
    )
    response.headers["Location"] = f"/simulations/{sim_id}"
    return SimulationCreated(id=str(sim_id), status="running")


@router.get(
    "/simulations/{simulation_id}",
    operation_id="getSimulation",
    summary="A simulation: its progress, then baseline and reform per incentive and group",
    response_model=SimulationOut,
)
async def get_simulation(
    session: SessionDep,
    principal: ReaderDep,
    simulation_id: uuid.UUID,
    by: ByQuery = [],  # noqa: B006 - FastAPI copies the default
) -> SimulationOut:
    dimensions = service.parse_by(by or ["educationLevel"])
    found = await service.find(session, principal.partner, simulation_id)
    return SimulationOut.of(found, dimensions)
