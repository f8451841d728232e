"""Reforms as data: dated values that override the law's parameters from a day on, for the
reform and (to replay a past change) for the baseline. Validated field by field: an unknown
incentive, parameter or a value of the wrong type is an ``InvalidInput`` naming the field.

Named reforms ship as TOML files in ``reforms/`` (``docs/simulation.md``)."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.rules import RULES, validated_book
from app.domain.rules.parameters import (
    DatedValue,
    ParameterBook,
    ParameterFileError,
    typed_value,
    with_values,
)

REFORM_DIR = Path(__file__).parent / "reforms"
MAX_PARAMETERS = 40
MAX_VALUES = 10
NOT_SIMULATED = {
    "referenceDate": "it decides which facts are read, which a simulation fixes for the period",
    "referenceDay": "it decides which facts are read, which a simulation fixes for the period",
    "entitlementUnit": "gainers and losers are counted in one unit per incentive",
}
REFORM_SOURCE = "simulated reform"

Overrides = dict[str, dict[str, tuple[DatedValue, ...]]]
"""{incentive: {parameter: dated values, oldest first}}."""


@dataclass(frozen=True, slots=True)
class Reform:
    """What a simulation changes: ``parameters`` for the reform, ``baseline`` for the rules it
    is compared with (empty: the law as the service applies it)."""

    parameters: Overrides
    baseline: Overrides = field(default_factory=dict)
    description: str = ""
    as_data: Mapping[str, Any] = field(default_factory=dict)
    """The reform as given (echoed in the result)."""

    def books(self) -> tuple[ParameterBook, ParameterBook]:
        """(baseline, reform): the law's book with each side's values put in."""
        law = validated_book()
        return with_values(law, self.baseline), with_values(law, self.parameters)


def _fail(where: str, value: object, detail: str) -> InvalidInput:
    return InvalidInput(where, value, detail)


def _object(raw: object, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(where, raw, "expected an object")
    for key in raw:
        if key not in allowed:
            raise _fail(f"{where}.{key}", raw[key], f"unknown field (allowed: {sorted(allowed)})")
    return raw


def _day(raw: object, where: str) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise _fail(where, raw, "expected a date (YYYY-MM-DD)")


def _values(code: str, name: str, raw: object, where: str) -> tuple[DatedValue, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_VALUES:
        raise _fail(where, raw, f"expected a list of 1 to {MAX_VALUES} dated values")
    parameter = validated_book()[code].parameters[name]
    made: list[DatedValue] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        entry = _object(item, at, {"effectiveFrom", "value", "note"})
        if "effectiveFrom" not in entry or "value" not in entry:
            raise _fail(at, item, "each dated value needs effectiveFrom and value")
        day = _day(entry["effectiveFrom"], f"{at}.effectiveFrom")
        if made and day <= made[-1].effective_from:
            raise _fail(f"{at}.effectiveFrom", entry["effectiveFrom"], "dates must increase")
        value = entry["value"]
        if parameter.kind == "date" and isinstance(value, str):
            value = _day(value, f"{at}.value")
        if not isinstance(value, str | int | bool | date):
            raise _fail(f"{at}.value", value, f"expected a {parameter.kind}")
        try:
            typed = typed_value(parameter.kind, value, f"{code}.{name}")
        except ParameterFileError as exc:
            raise _fail(f"{at}.value", value, str(exc).split(": ", 1)[-1]) from None
        if isinstance(typed, Decimal) and not typed.is_finite():
            raise _fail(f"{at}.value", value, "expected a finite decimal")
        if parameter.kind == "text":
            known = sorted({str(d.value) for d in parameter.history})
            if typed not in known:
                raise _fail(f"{at}.value", value, f"one of {known}")
        note = entry.get("note")
        made.append(DatedValue(day, typed, REFORM_SOURCE, False, str(note) if note else None))
    return tuple(made)


def _overrides(raw: object, where: str) -> Overrides:
    if not isinstance(raw, dict):
        raise _fail(where, raw, 'expected an object {"<incentive>.<parameter>": [...]}')
    if len(raw) > MAX_PARAMETERS:
        raise _fail(where, len(raw), f"at most {MAX_PARAMETERS} parameters")
    found: Overrides = {}
    book = validated_book()
    for key, values in raw.items():
        at = f"{where}.{key}"
        code, _, name = str(key).partition(".")
        if code not in RULES:
            raise _fail(at, key, f"no incentive {code!r} (one of {sorted(RULES)})")
        if name not in book[code].parameters:
            known = sorted(book[code].parameters)
            raise _fail(at, key, f"no parameter {name!r} of {code} (one of {known})")
        if name in NOT_SIMULATED:
            raise _fail(at, key, f"cannot be simulated: {NOT_SIMULATED[name]}")
        found.setdefault(code, {})[name] = _values(code, name, values, at)
    return found


def parse_reform(raw: object, where: str = "reform") -> Reform:
    """A reform from its data (JSON or TOML), or ``InvalidInput`` naming the field."""
    data = _object(raw, where, {"parameters", "baseline", "description"})
    if "parameters" not in data:
        raise _fail(f"{where}.parameters", None, "a reform names the parameters it changes")
    parameters = _overrides(data["parameters"], f"{where}.parameters")
    baseline: Overrides = {}
    if "baseline" in data:
        base = _object(data["baseline"], f"{where}.baseline", {"parameters"})
        baseline = _overrides(base.get("parameters", {}), f"{where}.baseline.parameters")
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 2000:
        raise _fail(f"{where}.description", description, "a text of at most 2000 characters")
    return Reform(parameters, baseline, description, _jsonable(data))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class NamedReform:
    name: str
    title: str
    period: str
    """The period it is meant for (a request may name another)."""
    reform: Reform


def load_reform_file(path: Path, where: str = "reform") -> NamedReform:
    """A reform file: ``title``, ``period``, ``description``, ``[parameters]``, and optionally
    ``[baseline.parameters]``."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _fail(where, path.name, f"not a readable TOML reform: {exc}") from None
    title, period = data.pop("title", path.stem), data.pop("period", "")
    if not isinstance(title, str) or not isinstance(period, str):
        raise _fail(where, path.name, "title and period are texts")
    return NamedReform(path.stem, title, period, parse_reform(data, where))


@cache
def named_reforms() -> dict[str, NamedReform]:
    return {p.stem: load_reform_file(p, p.stem) for p in sorted(REFORM_DIR.glob("*.toml"))}


def named_reform(name: str, where: str = "reformName") -> NamedReform:
    found = named_reforms().get(name)
    if found is None:
        raise _fail(where, name, f"no such reform (one of {sorted(named_reforms())})")
    return found
