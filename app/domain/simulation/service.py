"""Simulations as a resource: asked for (validated: a precise ``InvalidInput`` when bad), run in
the background by the service process (one running simulation per partner), read back with
progress and, once done, the published result. State lives in the ``simulations`` table."""

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.errors import DomainError, InvalidInput, NotFound
from app.domain.grants import RulesCatalog
from app.domain.periods import Period, parse_key
from app.domain.rules import reference_date
from app.domain.simulation.behaviour import DEFAULT_BY, Behaviour, observed
from app.domain.simulation.evaluate import CODES
from app.domain.simulation.horizon import followed, horizon
from app.domain.simulation.multi_year import multi_year_data
from app.domain.simulation.reform import Reform, named_reform, parse_reform
from app.domain.simulation.run import Run, simulate
from app.domain.simulation.tables import simulations
from app.domain.simulation.tally import Tally
from app.domain.statistics.dimensions import Dimension
from app.domain.statistics.service import Reader, parse_by

log = logging.getLogger("llr.simulation")
__all__ = ["parse_by"]
STALE = "5 minutes"
"""A running simulation not heard of for this long was interrupted (the service stopped)."""
RUNNING: dict[uuid.UUID, "asyncio.Task[None]"] = {}
"""The simulations this process runs (a strong reference keeps each task alive)."""
ASSUMPTIONS = (
    "Entitlements, not take-up: every eligible citizen is counted with the full right of the "
    "period (no behavioural response).",
    "Each incentive reads the facts valid on its reference date for the period, as recorded "
    "when the simulation started; facts are not projected forward.",
    "Public cost: training vouchers at the government's share, VOV hours at the flat refund "
    "per hour to the employer, a time credit's allowance for twelve months; other incentives' "
    "costs are not modelled.",
)


class SimulationBusy(DomainError):
    """The partner already has a simulation running."""


@dataclass(frozen=True, slots=True)
class Request:
    name: str
    period: Period
    reform: Reform
    reform_name: str | None
    periods: int = 1
    take_up_by: Dimension = DEFAULT_BY


def parse_request(
    name: str,
    period_key: str | None,
    reform: Mapping[str, Any] | None,
    reform_name: str | None,
    periods: int = 1,
    take_up_by: str | None = None,
) -> Request:
    """The simulation a request asks for, or ``InvalidInput`` naming the field."""
    if (reform is None) == (reform_name is None):
        raise InvalidInput("reform", None, "give either reform or reformName")
    named = named_reform(reform_name) if reform_name is not None else None
    found = named.reform if named else parse_reform(reform)
    key = period_key or (named.period if named else None)
    if not key:
        raise InvalidInput("period", period_key, "a period key, e.g. 2027-28")
    try:
        period = parse_key(key)
    except ValueError as exc:
        raise InvalidInput("period", key, str(exc)) from None
    horizon(period, periods)
    return Request(name, period, found, reform_name, periods, parse_take_up_by(take_up_by))


def parse_take_up_by(value: str | None, where: str = "takeUpBy") -> Dimension:
    """The dimension whose groups' take-up a multi-year run uses (None: the default)."""
    try:
        return Dimension(value) if value is not None else DEFAULT_BY
    except ValueError:
        known = ", ".join(d.value for d in Dimension)
        raise InvalidInput(where, value, f"not a dimension (one of {known})") from None


async def create(session: AsyncSession, partner: str, request: Request) -> uuid.UUID:
    """Records the simulation (running, nothing done yet); ``SimulationBusy`` when the
    partner has one running. ``launch`` starts it once this is committed."""
    await session.execute(
        update(simulations)
        .where(
            simulations.c.partner == partner,
            simulations.c.status == "running",
            simulations.c.updated_at < text(f"now() - interval '{STALE}'"),
        )
        .values(status="failed", error="interrupted", finished_at=text("now()"))
    )
    sim_id = uuid.uuid4()
    data = dict(request.reform.as_data)
    if request.reform_name:
        data = {"reformName": request.reform_name, **data}
    try:
        async with session.begin_nested():
            await session.execute(
                insert(simulations).values(
                    id=sim_id,
                    partner=partner,
                    name=request.name,
                    period_key=request.period.key,
                    as_of=request.period.start,
                    periods=request.periods,
                    reform=data,
                    status="running",
                )
            )
    except IntegrityError:
        raise SimulationBusy(
            f"partner {partner} already has a simulation running; try again when it is done"
        ) from None
    return sim_id


@dataclass(frozen=True, slots=True)
class Launch:
    """Where a simulation runs: the service's sessions and rules processes, the day (a
    multi-year run reads take-up of the periods closed by then) and who asked (the take-up
    read is logged as theirs)."""

    sessions: async_sessionmaker[AsyncSession]
    workers: int
    today: date
    reader: Reader


async def launch(where: Launch, sim_id: uuid.UUID, request: Request) -> None:
    """Starts the simulation in this process, in the background."""
    task = asyncio.create_task(_run(where, sim_id, request))
    RUNNING[sim_id] = task
    task.add_done_callback(lambda _: RUNNING.pop(sim_id, None))


async def prepare(
    sessions: async_sessionmaker[AsyncSession],
    request: Request,
    today: date,
    reader: Reader,
    behaviour: Behaviour | None = None,
) -> Run:
    """The run of ``request`` on the facts as they stand now, with, for a multi-year run, the
    take-up monitoring observed (read now, logged as ``reader``'s; ``behaviour``: rates read
    elsewhere, a benchmark's)."""
    async with sessions() as session:
        snapshot = await session.scalar(select(func.clock_timestamp()))
    assert snapshot is not None
    if request.periods > 1 and behaviour is None:
        codes, _ = followed(horizon(request.period, request.periods))
        async with sessions() as session, session.begin():
            catalog = RulesCatalog()
            behaviour = await observed(session, catalog, codes, request.take_up_by, today, reader)
    periods = request.periods
    return Run(
        request.reform, request.period, snapshot, periods, behaviour if periods > 1 else None
    )


async def _run(where: Launch, sim_id: uuid.UUID, request: Request) -> None:
    sessions = where.sessions

    async def progress(done: int, total: int) -> None:
        async with sessions() as session, session.begin():
            await session.execute(
                update(simulations)
                .where(simulations.c.id == sim_id)
                .values(citizens_done=done, citizens_total=total, updated_at=text("now()"))
            )

    try:
        run = await prepare(sessions, request, where.today, where.reader)
        tally = await simulate(sessions, run, progress, where.workers)
        values: dict[str, Any] = {"status": "done", "result": result_data(tally, run)}
    except Exception as exc:  # the run failed: say so on the resource, keep the service up
        log.exception("simulation %s failed", sim_id)
        values = {"status": "failed", "error": type(exc).__name__}
    async with sessions() as session, session.begin():
        await session.execute(
            update(simulations)
            .where(simulations.c.id == sim_id)
            .values(**values, finished_at=text("now()"), updated_at=text("now()"))
        )


def result_data(tally: Tally, run: Run) -> dict[str, Any]:
    """What is stored of a finished run: the tallies and how they were made."""
    made: dict[str, Any] = {
        "tally": tally.as_json(),
        "evaluations": tally.evaluations,
        "referenceDates": {c: reference_date(c, run.as_of).isoformat() for c in CODES},
        "assumptions": list(ASSUMPTIONS),
    }
    if run.periods > 1:
        made["multiYear"] = multi_year_data(run)
    return made


@dataclass(frozen=True, slots=True)
class Simulation:
    id: uuid.UUID
    name: str
    period_key: str
    as_of: date
    periods: int
    reform: Mapping[str, Any]
    status: str
    done: int
    total: int
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    result: Mapping[str, Any] | None

    @property
    def tally(self) -> Tally | None:
        return Tally.from_json(self.result["tally"]) if self.result else None


async def find(session: AsyncSession, partner: str, sim_id: uuid.UUID) -> Simulation:
    """The partner's simulation (another partner's is not found)."""
    row = (
        await session.execute(
            select(simulations).where(simulations.c.id == sim_id, simulations.c.partner == partner)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no simulation {sim_id}")
    return Simulation(
        row.id,
        row.name,
        row.period_key,
        row.as_of,
        row.periods,
        row.reform,
        row.status,
        row.citizens_done,
        row.citizens_total,
        row.created_at,
        row.finished_at,
        row.error,
        row.result,
    )
