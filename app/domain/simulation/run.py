"""Running a simulation: the citizens with facts, in batches ordered by citizen key, as they
stood when the run started (facts recorded later are not read), each batch tallied by the rules
in worker processes (``tally_batch``) a batch or two ahead, and the tallies added up. The one
path of ``POST /simulations`` and ``llr simulate``; it reads, it never writes the ledger."""

import asyncio
import hashlib
import json
import multiprocessing
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.periods import Period
from app.domain.simulation.batch import Plan, tally_batch
from app.domain.simulation.behaviour import DEFAULT_BY, Behaviour, assumed
from app.domain.simulation.horizon import followed, horizon
from app.domain.simulation.reform import Reform
from app.domain.simulation.tally import GroupKey, Tally
from app.domain.statistics.tables import DIMENSION_COLUMNS, groups

BATCH_SIZE = 20_000
BATCH_SQL = text(
    "SELECT f.citizen_key, jsonb_agg(jsonb_build_array(f.version, f.observed_on, "
    "coalesce(f.declared, f.facts)) ORDER BY f.observed_on, f.version)::text, "
    "(SELECT d.group_id FROM citizen_dimensions d WHERE d.citizen_key = f.citizen_key "
    "AND d.valid_from <= :day ORDER BY d.valid_from DESC LIMIT 1) "
    "FROM citizen_facts f WHERE f.citizen_key > :after AND f.recorded_at <= :snapshot "
    "GROUP BY f.citizen_key ORDER BY f.citizen_key LIMIT :n"
)
Progress = Callable[[int, int], Awaitable[None]]
"""(citizens done, citizens in all)."""


@dataclass(frozen=True, slots=True)
class Run:
    reform: Reform
    period: Period
    """The (first) period simulated."""
    snapshot: datetime
    """Facts recorded after it are not read."""
    periods: int = 1
    behaviour: Behaviour | None = None
    """The take-up rates of a multi-year run (``periods`` > 1)."""

    @property
    def as_of(self) -> date:
        return self.period.start

    @property
    def horizon(self) -> list[Period]:
        return horizon(self.period, self.periods)

    @property
    def plan(self) -> Plan:
        periods = self.horizon
        days = tuple(p.start for p in periods)
        if len(periods) == 1:
            return Plan(self.reform, days)
        codes, _ = followed(periods)
        return Plan(self.reform, days, codes, self.behaviour or assumed(codes, DEFAULT_BY))

    @property
    def key(self) -> str:
        behaviour = self.behaviour.as_json() if self.behaviour else None
        data = [self.reform.as_data, self.as_of.isoformat(), self.periods, behaviour]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


async def _groups(session: AsyncSession) -> dict[int, GroupKey]:
    rows = await session.execute(select(groups.c.id, *(groups.c[c] for c in DIMENSION_COLUMNS)))
    return {r[0]: tuple(r[1:]) for r in rows}


async def count(session: AsyncSession, snapshot: datetime) -> int:
    found = await session.scalar(
        text("SELECT count(DISTINCT citizen_key) FROM citizen_facts WHERE recorded_at <= :at"),
        {"at": snapshot},
    )
    return int(found or 0)


async def simulate(
    sessions: async_sessionmaker[AsyncSession],
    run: Run,
    progress: Progress,
    workers: int = 2,
    batch_size: int = BATCH_SIZE,
) -> Tally:
    """The tallies of ``run`` over every citizen with facts; ``progress`` after each batch."""
    plan = run.plan
    async with sessions() as session:
        total = await count(session, run.snapshot)
        known = await _groups(session)
    loop = asyncio.get_running_loop()
    tally, done, evaluations = Tally(()), 0, dict[int, int]()
    ahead: deque[tuple[int, asyncio.Future[Tally]]] = deque()
    pool = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        if workers
        else None
    )

    async def collect() -> None:
        nonlocal done, tally
        size, future = ahead.popleft()
        found = await future
        if not tally.codes:
            tally = Tally(found.codes)
        tally.add(found)
        evaluations[found.worker] = found.evaluations  # each worker counts its own
        tally.evaluations = sum(evaluations.values())
        done += size
        await progress(done, total)

    try:
        await progress(0, total)
        after = ""
        while True:
            async with sessions() as session:
                rows = (
                    await session.execute(
                        BATCH_SQL,
                        {
                            "after": after,
                            "day": run.as_of,
                            "snapshot": run.snapshot,
                            "n": batch_size,
                        },
                    )
                ).all()
            if not rows:
                break
            after = rows[-1][0]
            batch = [(r[1], known.get(r[2]) if r[2] is not None else None) for r in rows]
            args = (run.key, plan, batch)
            future = (
                loop.run_in_executor(pool, tally_batch, *args)
                if pool
                else asyncio.ensure_future(asyncio.to_thread(tally_batch, *args))
            )
            ahead.append((len(rows), future))
            if len(ahead) > max(workers, 1):
                await collect()
        while ahead:
            await collect()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if not tally.codes:
        from app.domain.simulation.evaluate import CODES

        tally = Tally(CODES)
    return tally
