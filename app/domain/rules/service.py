"""The rules as the service uses them: stored facts, the catalogue and the engine together."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import InvalidInput, NotFound
from app.domain.rules.engine import evaluate
from app.domain.rules.facts import Facts, facts_after
from app.domain.rules.facts_store import StoredFacts, facts_version, latest_facts, record_facts
from app.domain.rules.model import Evaluation
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


async def eligibility(
    session: AsyncSession,
    facts: Facts,
    as_of: date,
    *,
    citizen: Citizen | None = None,
    facts_version: int | None = None,
    training: TrainingInfo | None = None,
    incentives: Sequence[str] | None = None,
    language: str = "nl",
) -> EligibilityAnswer:
    """Evaluates the request's facts, on top of the citizen's stored facts (the latest, or the
    version asked for, to replay a decision) when a citizen is named."""
    _refuse_future_dates(facts, as_of, "asOf")
    version = None
    if citizen is not None:
        stored = await _stored_for(session, citizen.key, facts_version)
        if stored is not None:
            facts, version = stored.facts.overridden_by(facts), stored.version
        if facts.birth_date is None and citizen.birth_date is not None:
            facts = facts.model_copy(update={"birth_date": citizen.birth_date})
    if training is not None:
        training = await resolve_training(session, training)
    # CPU-bound: in a thread, so the event loop (other requests, /health, the timeout) goes on
    evaluation = await asyncio.to_thread(
        evaluate, facts, as_of, incentives=incentives, training=training, language=language
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
    return await record_facts(session, citizen_key, merged, source, observed_on, recorded_by)


async def stored_facts(
    session: AsyncSession, citizen_key: str, version: int | None = None
) -> StoredFacts:
    found = (
        await latest_facts(session, citizen_key)
        if version is None
        else await facts_version(session, citizen_key, version)
    )
    if found is None:
        which = "any facts" if version is None else f"facts version {version}"
        raise FactsNotFound(f"No {which} recorded for this citizen")
    return found
