"""The rules as the service uses them: stored facts, the catalogue and the engine together."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import InvalidInput, NotFound
from app.domain.rules.engine import RULES, evaluate
from app.domain.rules.facts import Facts, facts_after
from app.domain.rules.facts_store import (
    StoredFacts,
    facts_valid_on,
    facts_version,
    latest_facts,
    record_facts,
)
from app.domain.rules.model import Evaluation
from app.domain.rules.reference import reference_date
from app.domain.rules.training import TrainingInfo
from app.domain.rules.training_store import find_training


@dataclass(frozen=True, slots=True)
class Citizen:
    """A known citizen: the key the database uses, and the birth date the SSIN encodes."""

    key: str
    birth_date: date | None


@dataclass(frozen=True, slots=True)
class EligibilityAnswer:
    evaluation: Evaluation
    facts_version: int | None
    """The stored facts version the answer used (None: facts from the request only)."""


class FactsNotFound(NotFound):
    pass


def _refuse_future_dates(facts: Facts, day: date, what: str) -> None:
    for name, value in facts_after(facts, day):
        raise InvalidInput(f"facts.{name}", value.isoformat(), f"{name} lies after {what} {day}")


async def _stored_for(
    session: AsyncSession, citizen_key: str, version: int | None
) -> StoredFacts | None:
    if version is None:
        return await latest_facts(session, citizen_key)
    stored = await facts_version(session, citizen_key, version)
    if stored is None:
        raise InvalidInput("factsVersion", version, "no such facts version for this citizen")
    return stored


async def resolve_training(session: AsyncSession, training: TrainingInfo) -> TrainingInfo:
    """The catalogue entry named by ``odbId``, with any inline attributes on top."""
    if training.odb_id is None:
        return training
    registered = await find_training(session, training.odb_id)
    if registered is None:
        raise InvalidInput(
            "training.odbId", training.odb_id, "no training with this ODB id in the catalogue"
        )
    return registered.overridden_by(training)


def _on_top(stored: StoredFacts | None, facts: Facts, citizen: Citizen) -> Facts:
    """The request's facts over the stored ones, with the birth date the SSIN encodes."""
    if stored is not None:
        facts = stored.facts.overridden_by(facts)
    if facts.birth_date is None and citizen.birth_date is not None:
        facts = facts.model_copy(update={"birth_date": citizen.birth_date})
    return facts


async def facts_in_time(
    session: AsyncSession,
    citizen_key: str,
    as_of: date,
    codes: Sequence[str],
    known_at: datetime | None = None,
) -> tuple[StoredFacts | None, dict[str, StoredFacts | None]]:
    """The citizen's facts valid on ``as_of`` and, per incentive, those valid on its reference
    date for the period of ``as_of``, as known at ``known_at`` (default: now)."""
    days = {code: reference_date(code, as_of) for code in codes}
    found = {
        day: await facts_valid_on(session, citizen_key, day, known_at)
        for day in {as_of, *days.values()}
    }
    return found[as_of], {code: found[day] for code, day in days.items()}


async def eligibility(
    session: AsyncSession,
    facts: Facts,
    as_of: date,
    *,
    citizen: Citizen | None = None,
    facts_version: int | None = None,
    known_at: datetime | None = None,
    training: TrainingInfo | None = None,
    incentives: Sequence[str] | None = None,
    language: str = "nl",
) -> EligibilityAnswer:
    """Evaluates the request's facts, on top of a named citizen's stored facts: those valid on
    each incentive's reference date as known at ``known_at``, or one recorded version (to
    replay a decision)."""
    _refuse_future_dates(facts, as_of, "asOf")
    version, own = None, {}
    if citizen is not None and facts_version is not None:
        stored = await _stored_for(session, citizen.key, facts_version)
        facts, version = _on_top(stored, facts, citizen), facts_version
    elif citizen is not None:
        codes = list(incentives) if incentives else list(RULES)
        on_day, by_code = await facts_in_time(session, citizen.key, as_of, codes, known_at)
        own = {code: _on_top(stored, facts, citizen) for code, stored in by_code.items()}
        used = [s.version for s in (on_day, *by_code.values()) if s is not None]
        facts, version = _on_top(on_day, facts, citizen), max(used, default=None)
    if training is not None:
        training = await resolve_training(session, training)
    # CPU-bound: in a thread, so the event loop (other requests, /health, the timeout) goes on
    evaluation = await asyncio.to_thread(
        evaluate,
        facts,
        as_of,
        incentives=incentives,
        training=training,
        language=language,
        facts_by_incentive=own,
    )
    return EligibilityAnswer(evaluation, version)


async def declare_facts(
    session: AsyncSession,
    citizen_key: str,
    facts: Facts,
    *,
    source: str,
    observed_on: date,
    recorded_by: str,
    today: date,
) -> StoredFacts:
    """Records a new version: the latest facts with every fact declared now put on top."""
    if observed_on > today:
        raise InvalidInput("observedOn", observed_on.isoformat(), f"observedOn lies after {today}")
    _refuse_future_dates(facts, observed_on, "observedOn")
    latest = await latest_facts(session, citizen_key)
    merged = latest.facts.overridden_by(facts) if latest else facts
    return await record_facts(
        session, citizen_key, merged, source, observed_on, recorded_by, declared=facts
    )


async def stored_facts(
    session: AsyncSession,
    citizen_key: str,
    version: int | None = None,
    *,
    known_at: datetime | None = None,
    valid_on: date | None = None,
) -> StoredFacts:
    """A given version; or the facts valid on ``valid_on``; or the latest version; each as
    known at ``known_at`` (default: now)."""
    if version is not None:
        found = await facts_version(session, citizen_key, version)
    elif valid_on is not None:
        found = await facts_valid_on(session, citizen_key, valid_on, known_at)
    else:
        found = await latest_facts(session, citizen_key, known_at)
    if found is None:
        which = "any facts" if version is None else f"facts version {version}"
        raise FactsNotFound(f"No {which} recorded for this citizen")
    return found
