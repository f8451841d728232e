"""Facts in time for the ledger: what each incentive reads of a citizen's facts for a day.

A wallet read, a reserve and ``llr grant`` get a citizen's facts declarations in valid-time
order with the right they read; each incentive is decided on the facts valid on its reference
date for the day (``app.domain.rules.reference``), folded by the one ``fold`` the facts reads use,
and identical facts are evaluated once per process."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from app.domain.grants import with_birth
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.repository import Declaration
from app.domain.rules import RULES, Evaluation, Facts, StoredFacts, evaluate, reference_date
from app.domain.rules.facts_store import fold


@dataclass(frozen=True, slots=True)
class FactsRow:
    """Facts valid on a day, folded from a citizen's declarations: the newest version used."""

    id: int
    version: int
    facts: dict[str, Any]


def facts_on(declarations: Sequence[Declaration], day: date) -> FactsRow | None:
    found = fold(declarations, day)
    if found is None:
        return None
    (facts_id, version, _, _), _, facts = found
    return FactsRow(facts_id, version, facts)


def stored_facts(row: FactsRow | None) -> StoredFacts | None:
    """The facts a receipt names (id and version) as the rules read them."""
    if row is None:
        return None
    return StoredFacts(row.id, row.version, _facts(_key(row.facts)), "", date.min, datetime.min, "")


Others = tuple[tuple[str, str | None], ...]
"""The incentives that read other facts than those valid on the day (their reference date lies
earlier), with those facts as JSON (None: no facts were valid then)."""


@dataclass(frozen=True, slots=True)
class FactsInTime:
    """What the rules read for a day: the facts valid on it (``on_day``) and, per incentive, those
    valid on its reference date (``used``); ``key`` is the same without ids, by which identical
    facts are evaluated once."""

    on_day: FactsRow
    used: dict[str, FactsRow | None]
    key: tuple[str, Others]

    def receipt(self, incentive: str) -> StoredFacts | None:
        return stored_facts(self.used.get(incentive, self.on_day))


def facts_in_time(
    declarations: Sequence[Declaration], day: date, codes: Iterable[str]
) -> FactsInTime | None:
    """The facts each of ``codes`` reads for ``day`` (None: no facts valid on the day): never
    facts observed after its reference date."""
    on_day = facts_on(declarations, day)
    if on_day is None:
        return None
    used: dict[str, FactsRow | None] = {}
    for code in codes:
        when = _reference(code, day)
        used[code] = on_day if when == day else facts_on(declarations, when)
    others = tuple(
        (code, None if row is None else _key(row.facts))
        for code, row in used.items()
        if row is not on_day and (row is None or row.facts != on_day.facts)
    )
    return FactsInTime(on_day, used, (_key(on_day.facts), others))


def facts_of(key: tuple[str, Others], birth_date: date | None) -> tuple[Facts, dict[str, Facts]]:
    """The facts of a ``FactsInTime.key`` as ``evaluate`` takes them (with the birth date the
    SSIN encodes, where the facts give none)."""
    facts_json, others = key
    own = {code: with_birth(_facts(o) if o else Facts(), birth_date) for code, o in others}
    return with_birth(_facts(facts_json), birth_date), own


@dataclass(frozen=True, slots=True)
class InTime:
    """The rules on a citizen's facts in time, and the facts each incentive read."""

    evaluation: Evaluation
    facts: FactsInTime

    @property
    def on_day(self) -> FactsRow:
        return self.facts.on_day

    def receipt(self, incentive: str) -> StoredFacts | None:
        return self.facts.receipt(incentive)


def evaluate_in_time(
    declarations: Sequence[Declaration],
    citizen: CitizenRef,
    day: date,
    language: str = "nl",
    only: str | None = None,
) -> InTime | None:
    """The rules for ``day`` over the citizen's declarations (None: no facts valid then). Most
    incentives read the facts valid on the day; one whose reference date lies earlier (VOV: a
    month of the school year) reads those valid then, never facts observed later."""
    found = facts_in_time(declarations, day, (only,) if only else RULES)
    if found is None:
        return None
    evaluation = _evaluated(found.key, citizen.ssin.birth_date, day, language, only)
    return InTime(evaluation, found)


@lru_cache(maxsize=4096)
def _reference(code: str, day: date) -> date:
    return reference_date(code, day)


def _key(facts: dict[str, Any]) -> str:
    return json.dumps(facts, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=4096)
def _facts(facts_json: str) -> Facts:
    return Facts.model_validate_json(facts_json)


@lru_cache(maxsize=4096)
def _evaluated(
    key: tuple[str, Others], birth_date: date | None, day: date, language: str, only: str | None
) -> Evaluation:
    """A pure function of the facts, the birth date the SSIN encodes, the day and the language,
    so identical ones (most citizens share their facts' shape) are evaluated once per process."""
    facts, own = facts_of(key, birth_date)
    return evaluate(
        facts,
        day,
        language=language,
        incentives=[only] if only else None,
        facts_by_incentive=own,
    )
