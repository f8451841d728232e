"""Typed questions: for every fact an answer still needs, what a wizard asks and how it can be
answered. The kind, the options and the bounds are read from the facts model (``facts.py``,
``training.py``); the texts, option labels, units and registers from ``questions.toml``; which
incentives a question decides from the answers themselves (their ``missingFacts``)."""

import tomllib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from app.domain.rules.facts import Facts, TimeCredit
from app.domain.rules.messages import LANGUAGES, effective_language
from app.domain.rules.model import IncentiveResult
from app.domain.rules.training import TrainingInfo

QUESTION_FILE = Path(__file__).parent / "questions.toml"
QuestionKind = Literal["enum", "boolean", "decimal", "integer", "date"]
_NESTED: Mapping[str, type[BaseModel]] = {"timeCredit": TimeCredit, "training": TrainingInfo}
_KINDS: Sequence[tuple[type, QuestionKind]] = (
    (bool, "boolean"),
    (int, "integer"),
    (Decimal, "decimal"),
    (date, "date"),
)


@dataclass(frozen=True, slots=True)
class Option:
    value: str | bool
    label: str


@dataclass(frozen=True, slots=True)
class Question:
    fact: str
    """The wire name of the missing fact, as in ``missingFacts``."""
    answer: str
    """Where the answer goes in the request (dotted), usually ``fact`` itself."""
    text: str
    kind: QuestionKind
    options: list[Option]
    minimum: Decimal | None
    maximum: Decimal | None
    unit: str | None
    sources: list[str]
    decides: list[str]


@dataclass(frozen=True, slots=True)
class _Shape:
    kind: QuestionKind
    values: tuple[str | bool, ...]
    minimum: Decimal | None
    maximum: Decimal | None


class QuestionFileError(ValueError):
    pass


def _field(path: str) -> FieldInfo:
    head, _, rest = path.partition(".")
    model: type[BaseModel] = _NESTED[head] if rest else Facts
    name = rest or head
    for field_name, info in model.model_fields.items():
        if to_camel(field_name) == name:
            return info
    raise QuestionFileError(f"questions.toml: {path} is no fact")


def _unwrap(annotation: Any, bounds: list[object]) -> Any:
    """The plain type of an optional, annotated field; its constraints appended to ``bounds``."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        [inner] = [a for a in get_args(annotation) if a is not type(None)]
        return _unwrap(inner, bounds)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        for item in extra:
            bounds.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        return _unwrap(base, bounds)
    return annotation


def _shape(info: FieldInfo) -> _Shape:
    bounds: list[object] = list(info.metadata)
    plain = _unwrap(info.annotation, bounds)
    low = next((Decimal(str(b.ge)) for b in bounds if isinstance(b, annotated_types.Ge)), None)
    high = next((Decimal(str(b.le)) for b in bounds if isinstance(b, annotated_types.Le)), None)
    if isinstance(plain, type) and issubclass(plain, StrEnum):
        return _Shape("enum", tuple(m.value for m in plain), None, None)
    kind = next(k for t, k in _KINDS if isinstance(plain, type) and issubclass(plain, t))
    values: tuple[str | bool, ...] = (True, False) if kind == "boolean" else ()
    return _Shape(kind, values, low, high)


def _key(value: str | bool) -> str:
    """An option's key in questions.toml (TOML keys are strings: true, false, or the code)."""
    return str(value).lower() if isinstance(value, bool) else value


@cache
def _catalogue() -> Mapping[str, Mapping[str, Any]]:
    data = tomllib.loads(QUESTION_FILE.read_text("utf-8"))
    facts: dict[str, Mapping[str, Any]] = data["facts"]
    for fact, entry in facts.items():
        shape = _shape(_field(entry.get("answer", fact)))
        if set(entry["text"]) != set(LANGUAGES):
            raise QuestionFileError(f"questions.toml: {fact} needs a text in {LANGUAGES}")
        labels = entry.get("options", {}) if shape.kind == "enum" else data["labels"]["boolean"]
        wanted = {_key(v) for v in shape.values}
        if set(labels) != wanted and shape.values:
            raise QuestionFileError(f"questions.toml: {fact} labels {sorted(labels)} != {wanted}")
    return data


def declared_facts() -> list[str]:
    """Every fact that has a question."""
    return list(_catalogue()["facts"])


@cache
def _question(fact: str, language: str) -> Question:
    data = _catalogue()
    entry = data["facts"].get(fact)
    if entry is None:
        raise QuestionFileError(f"questions.toml: no question for {fact}")
    answer = entry.get("answer", fact)
    shape = _shape(_field(answer))
    labels = entry.get("options", {}) if shape.kind == "enum" else data["labels"]["boolean"]
    options = [Option(v, labels[_key(v)][language]) for v in shape.values]
    return Question(
        fact=fact,
        answer=answer,
        text=entry["text"][language],
        kind=shape.kind,
        options=options,
        minimum=shape.minimum,
        maximum=shape.maximum,
        unit=entry.get("unit"),
        sources=list(entry["sources"]),
        decides=[],
    )


def question_for(fact: str, language: str) -> Question:
    """The question for one fact (``decides`` left empty): what a wizard shows again when a
    citizen changes an answer."""
    return _question(fact, effective_language(language))


def questions(results: Sequence[IncentiveResult], language: str) -> list[Question]:
    """One question per fact the answers still miss, the one deciding most open incentives
    first (then most incentives, then the order the rules ask them in)."""
    decides: dict[str, list[str]] = {}
    open_: dict[str, int] = {}
    for result in results:
        missing = [
            *result.missing_facts,
            *(result.training.missing_facts if result.training else []),
        ]
        for fact in dict.fromkeys(missing):
            decides.setdefault(fact, []).append(result.incentive)
            open_[fact] = open_.get(fact, 0) + (result.status == "undetermined")
    order = {fact: i for i, fact in enumerate(decides)}
    ranked = sorted(decides, key=lambda f: (-open_[f], -len(decides[f]), order[f]))
    language = effective_language(language)
    return [replace(_question(fact, language), decides=decides[fact]) for fact in ranked]


_catalogue()  # at import, i.e. at start-up: a bad questions.toml stops the service
