"""One batch of citizens through the simulation, in a worker process: each citizen's answers
in every period of the run (``Simulator`` per period), citizens counted per profile (their
group and answers), each profile tallied once: the first period as a one-period run does,
and over the horizon (``Projector``) when the run has more than one period."""

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date

from app.domain.simulation.behaviour import Behaviour
from app.domain.simulation.evaluate import CODES, Simulator, parse_declarations
from app.domain.simulation.horizon import Projector
from app.domain.simulation.reform import Reform
from app.domain.simulation.tally import GroupKey, HorizonTally, Tally, add_citizens, group_of_facts


@dataclass(frozen=True, slots=True)
class Plan:
    """What a worker needs of a run: the reform, the first day of each period, and for a
    multi-year run the incentives it follows and the behavioural assumption."""

    reform: Reform
    days: tuple[date, ...]
    followed: tuple[str, ...] = ()
    behaviour: Behaviour | None = None


@dataclass(slots=True)
class Worker:
    simulators: list[Simulator]
    projector: Projector | None

    @classmethod
    def of(cls, plan: Plan) -> "Worker":
        simulators = [Simulator(plan.reform, day) for day in plan.days]
        projector = None
        if plan.behaviour is not None and len(plan.days) > 1:
            books = simulators[0].books
            projector = Projector(plan.followed, plan.days, plan.behaviour, books)
        return cls(simulators, projector)


_WORKER: tuple[str, Worker] | None = None

Profile = tuple[GroupKey, tuple[tuple[int, ...], ...]]
"""A citizen's group and answers (indices in each period's simulator's ``pairs``)."""


def tally_batch(key: str, plan: Plan, rows: list[tuple[str, GroupKey | None]]) -> Tally:
    """One batch of citizens (their declarations as JSON, and their monitoring group or None:
    the group of their facts on the first day), tallied. A worker process keeps its
    simulators between batches."""
    global _WORKER
    if _WORKER is None or _WORKER[0] != key:
        _WORKER = (key, Worker.of(plan))
    worker = _WORKER[1]
    first, *later = worker.simulators
    profiles: Counter[Profile] = Counter()
    for declarations, group in rows:
        parsed = parse_declarations(declarations)
        decided = first.citizen(parsed)
        if decided is None:
            continue
        facts, answers = decided
        found = group if group is not None else group_of_facts(facts, plan.days[0])
        rest = []
        for simulator in later:
            then = simulator.citizen(parsed)
            rest.append(then[1] if then else simulator.on_nothing())
        profiles[(found, (answers, *rest))] += 1
    tally = Tally(CODES)
    if worker.projector is not None:
        tally.horizon = HorizonTally(worker.projector.codes, periods=len(plan.days))
    for (group, periods), n in profiles.items():
        add_citizens(tally, group, [first.pairs[i] for i in periods[0]], n)
        if worker.projector is not None and tally.horizon is not None:
            by_period = [
                [s.pairs[i] for i in a] for s, a in zip(worker.simulators, periods, strict=True)
            ]
            worker.projector.add(tally.horizon, group, by_period, n)
    tally.evaluations = sum(s.evaluations for s in worker.simulators)
    tally.worker = os.getpid()
    return tally
