"""Parameters as dated data: every amount, threshold and date the rules use lives in a TOML file
per incentive (``parameters/<code>.toml``), each value with the day it takes effect, its source and
whether it has been verified. A change of law is a new dated value in a file, not a code change.

The files are read and validated once, on first use (the app imports the rules at start-up, so a
bad file stops the service from starting rather than answering wrongly)."""

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic.alias_generators import to_camel

PARAMETER_DIR = Path(__file__).parent / "parameters"
RULES_CODE_VERSION = "1"
"""Bumped whenever rule code changes what an answer is; it feeds the rulesVersion hash."""

Kind = Literal["decimal", "integer", "flag", "text", "date"]
Value = Decimal | int | bool | str | date


class ParameterFileError(ValueError):
    """A parameter file is missing, malformed, or does not declare what its rule reads."""


class _FileModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", frozen=True)


class _DatedModel(_FileModel):
    effective_from: date
    value: StrictStr | StrictBool | StrictInt | date
    source: str = Field(min_length=3)
    verified: StrictBool
    note: str | None = None


class _ParameterModel(_FileModel):
    kind: Kind
    description: str = Field(min_length=3)
    values: list[_DatedModel] = Field(min_length=1)


class _IncentiveFileModel(_FileModel):
    code: str
    in_force_from: date
    legal_basis: str
    names: dict[Literal["nl", "fr", "en", "de"], str]
    parameters: dict[str, _ParameterModel]


@dataclass(frozen=True, slots=True)
class DatedValue:
    effective_from: date
    value: Value
    source: str
    verified: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    kind: Kind
    description: str
    history: tuple[DatedValue, ...]
    """Oldest first; a value holds from its ``effective_from`` until the next one's."""

    def at(self, day: date) -> DatedValue | None:
        found = None
        for dated in self.history:
            if dated.effective_from > day:
                break
            found = dated
        return found


class ParameterNotInForce(LookupError):
    """No value of this parameter was in force on that day (before the incentive existed)."""


@dataclass(frozen=True, slots=True)
class IncentiveParameters:
    code: str
    in_force_from: date
    legal_basis: str
    names: Mapping[str, str]
    parameters: Mapping[str, Parameter]

    def value(self, name: str, day: date) -> Value:
        dated = self.parameters[name].at(day)
        if dated is None:
            raise ParameterNotInForce(f"{self.code}.{name} has no value on {day}")
        return dated.value

    def decimal(self, name: str, day: date) -> Decimal:
        value = self.value(name, day)
        assert isinstance(value, Decimal), name
        return value

    def integer(self, name: str, day: date) -> int:
        value = self.value(name, day)
        assert isinstance(value, int), name
        assert not isinstance(value, bool), name
        return value

    def flag(self, name: str, day: date) -> bool:
        value = self.value(name, day)
        assert isinstance(value, bool), name
        return value

    def text(self, name: str, day: date) -> str:
        value = self.value(name, day)
        assert isinstance(value, str), name
        return value

    def date_value(self, name: str, day: date) -> date:
        value = self.value(name, day)
        assert isinstance(value, date), name
        return value


def _typed(kind: Kind, raw: str | int | bool | date, where: str) -> Value:
    if kind == "decimal":
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise ParameterFileError(f'{where}: a decimal is written as a string, e.g. "0.50"')
        try:
            return Decimal(raw)
        except InvalidOperation as exc:
            raise ParameterFileError(f"{where}: {raw!r} is not a decimal") from exc
    expected: dict[str, type] = {"integer": int, "flag": bool, "text": str, "date": date}
    wanted = expected[kind]
    if not isinstance(raw, wanted) or (wanted is int and isinstance(raw, bool)):
        raise ParameterFileError(f"{where}: expected a {kind}, got {raw!r}")
    return raw


def _parameter(code: str, name: str, model: _ParameterModel) -> Parameter:
    history = []
    for dated in model.values:
        where = f"{code}.{name}@{dated.effective_from}"
        history.append(
            DatedValue(
                dated.effective_from,
                _typed(model.kind, dated.value, where),
                dated.source,
                dated.verified,
                dated.note,
            )
        )
    days = [d.effective_from for d in history]
    if days != sorted(set(days)):
        raise ParameterFileError(f"{code}.{name}: effectiveFrom dates must strictly increase")
    return Parameter(name, model.kind, model.description, tuple(history))


def parse_file(path: Path) -> IncentiveParameters:
    try:
        model = _IncentiveFileModel.model_validate(tomllib.loads(path.read_text("utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ParameterFileError(f"{path.name}: {exc}") from exc
    if model.code != path.stem:
        raise ParameterFileError(f"{path.name}: code {model.code!r} differs from the file name")
    parameters = {n: _parameter(model.code, n, m) for n, m in model.parameters.items()}
    names: dict[str, str] = dict(model.names.items())
    return IncentiveParameters(
        model.code, model.in_force_from, model.legal_basis, names, parameters
    )


@dataclass(frozen=True, slots=True)
class ParameterBook:
    incentives: Mapping[str, IncentiveParameters]
    digest: str
    """Short hash of every parameter and message file and the rule code version."""

    def __getitem__(self, code: str) -> IncentiveParameters:
        return self.incentives[code]

    def rules_version(self, day: date) -> str:
        """The latest change in force on ``day``, plus the digest: ``2025-09-01+3f2a9c1``."""
        days = [
            d.effective_from
            for inc in self.incentives.values()
            for p in inc.parameters.values()
            for d in p.history
            if d.effective_from <= day
        ]
        latest = max(days).isoformat() if days else "none"
        return f"{latest}+{self.digest}"


def with_values(
    book: ParameterBook, changes: Mapping[str, Mapping[str, tuple[DatedValue, ...]]]
) -> ParameterBook:
    """``book`` with some parameters' values replaced from a day on (a simulated reform):
    ``changes[code][name]`` (oldest first) replace the history from the first one's
    ``effective_from``; earlier values stay. The digest names the change."""
    incentives = dict(book.incentives)
    hasher = hashlib.sha256(book.digest.encode())
    for code, named in sorted(changes.items()):
        params = incentives[code]
        parameters = dict(params.parameters)
        for name, values in sorted(named.items()):
            old = parameters[name]
            start = values[0].effective_from
            kept = tuple(d for d in old.history if d.effective_from < start)
            parameters[name] = Parameter(name, old.kind, old.description, (*kept, *values))
            hasher.update(repr((code, name, values)).encode())
        incentives[code] = IncentiveParameters(
            params.code, params.in_force_from, params.legal_basis, params.names, parameters
        )
    return ParameterBook(incentives, hasher.hexdigest()[:7])


def typed_value(kind: Kind, raw: str | int | bool | date, where: str) -> Value:
    """A value as a parameter file writes it, typed for its kind (``ParameterFileError``)."""
    return _typed(kind, raw, where)


def load_book(directory: Path = PARAMETER_DIR, extra_files: tuple[Path, ...] = ()) -> ParameterBook:
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ParameterFileError(f"no parameter files in {directory}")
    hasher = hashlib.sha256(RULES_CODE_VERSION.encode())
    for path in (*files, *extra_files):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    incentives = {p.stem: parse_file(p) for p in files}
    return ParameterBook(incentives, hasher.hexdigest()[:7])


def require(book: ParameterBook, declared: Mapping[str, Mapping[str, Kind]]) -> None:
    """Checks that each incentive's file declares exactly the parameters its rule reads."""
    for code, wanted in declared.items():
        if code not in book.incentives:
            raise ParameterFileError(f"no parameter file for {code}")
        have = {n: p.kind for n, p in book[code].parameters.items()}
        if have != dict(wanted):
            missing = sorted(set(wanted) - set(have))
            extra = sorted(set(have) - set(wanted))
            wrong = sorted(n for n in set(have) & set(wanted) if have[n] != wanted[n])
            raise ParameterFileError(
                f"{code}.toml: missing {missing}, unexpected {extra}, wrong kind {wrong}"
            )


@cache
def default_book() -> ParameterBook:
    from app.domain.rules.messages import MESSAGE_FILE

    return load_book(extra_files=(MESSAGE_FILE,))
