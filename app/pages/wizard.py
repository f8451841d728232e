"""The Wegwijzer's state: what a citizen answered, in the order they answered it, and what they
said they do not know, all of it in the URL's query (never an SSIN: the wizard asks for none).

Pure: no HTTP, no database. ``read_state`` parses a query, ``next_question`` asks the rules'
first question that is neither answered nor unknown, ``url`` writes a state back."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from app.domain.dates import EARLIEST, LATEST
from app.domain.rules import Evaluation, Facts, evaluate
from app.domain.rules.messages import LANGUAGES
from app.domain.rules.questions import Question, declared_facts, question_for

UNKNOWN = "unknown"
"""The query name of a fact the citizen does not know (repeated, in the order said)."""
MAX_ENTRIES = 60
"""More answers than there are facts is no wizard's state: the rest is ignored (bounded work)."""
_INTEGER = re.compile(r"-?[0-9]{1,9}")
_NUMBER = re.compile(r"-?[0-9]{1,12}([.,][0-9]{1,6})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@cache
def answer_paths() -> dict[str, str]:
    """Where each answer goes (``timeCredit.regime``) -> the fact it answers (``timeCredit``);
    the training's facts are not asked: the wizard is about the person."""
    paths = {}
    for fact in declared_facts():
        if not fact.startswith("training."):
            paths[question_for(fact, "nl").answer] = fact
    return paths


@dataclass(frozen=True, slots=True)
class Entry:
    """One step taken: an answer (``path`` = ``value``) or an "I don't know" (``value`` None)."""

    fact: str
    path: str
    value: str | None


@dataclass(frozen=True, slots=True)
class State:
    language: str
    as_of: date
    entries: tuple[Entry, ...] = ()
    ask: str | None = None
    """A fact the citizen wants to answer again (from "back" or "change")."""
    was: str | None = None
    """The answer they gave it before, shown preselected."""
    show_result: bool = False

    @property
    def unknown(self) -> frozenset[str]:
        return frozenset(e.fact for e in self.entries if e.value is None)

    def without(self, fact: str) -> "State":
        return replace(self, entries=tuple(e for e in self.entries if e.fact != fact))

    def with_entry(self, entry: Entry) -> "State":
        return replace(self.without(entry.fact), entries=(*self.without(entry.fact).entries, entry))


@dataclass(frozen=True, slots=True)
class FieldError:
    fact: str
    kind: str
    """``choose`` (nothing given), ``value``, ``range``, ``integer``, ``number``, ``date``."""


@dataclass(slots=True)
class Parsed:
    state: State
    errors: list[FieldError] = field(default_factory=list)
    submitted: bool = False
    """The query came from a step's form (``asked``/``skip``): redirect to the clean URL."""


def _typed(question: Question, raw: str, as_of: date) -> tuple[object, str | None]:
    """A raw answer as the facts model takes it, or the kind of error it is."""
    text = raw.strip()
    if question.kind == "boolean":
        return (text == "true", None) if text in ("true", "false") else (None, "value")
    if question.kind == "enum":
        values = [o.value for o in question.options]
        return (text, None) if text in values else (None, "value")
    if question.kind == "date":
        if not _DATE.fullmatch(text):
            return None, "date"
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None, "date"
        return (text, None) if EARLIEST <= day <= min(as_of, LATEST) else (None, "date")
    pattern = _INTEGER if question.kind == "integer" else _NUMBER
    if not pattern.fullmatch(text):
        return None, "integer" if question.kind == "integer" else "number"
    number = Decimal(text.replace(",", "."))
    low, high = question.minimum, question.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        return None, "range"
    return (int(number) if question.kind == "integer" else format(number, "f")), None


def fits(question: Question, raw: str | None, as_of: date) -> bool:
    """Whether ``raw`` is an answer to ``question`` (an earlier answer shown again must be)."""
    return raw is not None and _typed(question, raw, as_of)[1] is None


def _as_of(raw: str | None, today: date) -> date:
    if raw and _DATE.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return today
        if EARLIEST <= day <= LATEST:
            return day
    return today


def read_state(query: Sequence[tuple[str, str]], language: str, today: date) -> Parsed:
    """The state in a query. Names the wizard does not know are ignored; a value that does not
    fit its question is an error naming the fact (never echoed: it is the citizen's text)."""
    first = {name: value for name, value in reversed(query)}
    as_of = _as_of(first.get("asOf"), today)
    paths = answer_paths()
    state = State(language, as_of, show_result=first.get("result") == "1")
    errors: list[FieldError] = []
    skipped = first.get("skip")
    asked = first.get("asked")
    for name, value in query[: MAX_ENTRIES * 2]:
        if name == UNKNOWN and value in paths.values():
            state = state.with_entry(Entry(value, value, None))
        elif name in paths and paths[name] != skipped:
            fact = paths[name]
            if not value.strip():
                continue  # an empty field: the step's check below says so if it was asked
            typed, error = _typed(question_for(fact, "nl"), value, as_of)
            if error:
                errors.append(FieldError(fact, error))
            else:
                state = state.with_entry(Entry(fact, name, shown(typed)))
    if skipped is not None and skipped in paths.values():
        state = state.with_entry(Entry(skipped, skipped, None))
    answered = {e.fact for e in state.entries} | {e.fact for e in errors}
    if asked is not None and asked in paths.values() and asked not in answered:
        errors.append(FieldError(asked, "choose"))
    ask = first.get("ask")
    if ask in paths.values():
        state = replace(state, ask=ask, was=first.get("was", "")[:40] or None)
    return Parsed(state, errors, submitted=asked is not None or skipped is not None)


def shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def facts_of(state: State) -> Facts:
    """The answers as facts (the unknown ones stay ``None``: the rules then keep them open)."""
    data: dict[str, Any] = {}
    for entry in state.entries:
        if entry.value is None:
            continue
        question = question_for(entry.fact, "nl")
        typed, _ = _typed(question, entry.value, state.as_of)
        head, _, rest = entry.path.partition(".")
        if rest:
            data.setdefault(head, {})[rest] = typed
        else:
            data[head] = typed
    try:
        return Facts.model_validate(data)
    except ValidationError:
        # answers that only fit together (a prior work fraction without a time credit):
        # keep what validates on its own
        kept = {}
        for name, value in data.items():
            try:
                Facts.model_validate({name: value})
            except ValidationError:
                continue
            kept[name] = value
        return Facts.model_validate(kept)


def run(state: State) -> Evaluation:
    return evaluate(facts_of(state), state.as_of, language=state.language)


def next_question(state: State, evaluation: Evaluation) -> Question | None:
    """The question to ask now: the one the citizen asked to answer again, else the rules'
    most useful question that is neither answered nor unknown; None: the result."""
    open_ = [q for q in evaluation.questions if q.fact in answer_paths().values()]
    if state.ask is not None:
        for question in open_:
            if question.fact == state.ask:
                return question
    if state.show_result:
        return None
    return next((q for q in open_ if q.fact not in state.unknown), None)


def url(state: State, **extra: str) -> str:
    """The clean, bookmarkable address of a state."""
    pairs: list[tuple[str, str]] = [("lang", state.language), ("asOf", state.as_of.isoformat())]
    for entry in state.entries:
        pairs.append((UNKNOWN, entry.fact) if entry.value is None else (entry.path, entry.value))
    if state.show_result:
        pairs.append(("result", "1"))
    pairs.extend(extra.items())
    return "/wegwijzer?" + urlencode(pairs)


def back_url(state: State) -> str | None:
    """The previous step, its answer kept (and shown preselected)."""
    if not state.entries:
        return None
    last = state.entries[-1]
    before = replace(state.without(last.fact), show_result=False, ask=None, was=None)
    extra = {"ask": last.fact} | ({"was": last.value} if last.value is not None else {})
    return url(before, **extra)


def change_url(state: State, fact: str) -> str:
    entry = next(e for e in state.entries if e.fact == fact)
    rest = replace(state.without(fact), show_result=False, ask=None, was=None)
    return url(rest, ask=fact, **({"was": entry.value} if entry.value is not None else {}))


def in_language(state: State, language: str) -> str:
    assert language in LANGUAGES
    return url(replace(state, language=language))
