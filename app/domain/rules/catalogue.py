"""Reading an ODB training catalogue export (CSV, JSON or JSON Lines) into trainings, row by
row: a bad row is reported with its line (or record) number and skipped; good rows are kept.

Columns / properties (lowerCamelCase; ``odbId`` and ``title`` required, the rest optional):
odbId, title, provider, kind (course, higherEducation, graduaat, adultEducation, examCommission,
evc), contactHours, studyPoints, exams, voucherEligible, vovEligible, vokFlagged,
restrictedByEducationLevel, priorityTheme. Booleans: true/false, 1/0, yes/no, ja/nee."""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.domain.rules.training import TrainingInfo

COLUMNS = (
    "odbId",
    "title",
    "provider",
    "kind",
    "contactHours",
    "studyPoints",
    "exams",
    "voucherEligible",
    "vovEligible",
    "vokFlagged",
    "restrictedByEducationLevel",
    "priorityTheme",
)
FLAGS = frozenset(COLUMNS[7:])
_TRUE = {"true", "1", "yes", "ja", "j", "y"}
_FALSE = {"false", "0", "no", "nee", "n"}


class CatalogueError(ValueError):
    """The file as a whole cannot be read (unknown format, unknown columns, not JSON)."""


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    """Line number in a CSV or JSON Lines file; record number (1-based) in a JSON array."""
    message: str


def _flag(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return value


def _clean_csv(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            raise ValueError("more fields than the header names")
        if value is None or value.strip() == "":
            continue
        out[key] = _flag(value) if key in FLAGS else value.strip()
    return out


def _validated(line: int, raw: Any) -> TrainingInfo | BadRow:
    if not isinstance(raw, dict):
        return BadRow(line, "not an object")
    missing = [name for name in ("odbId", "title") if raw.get(name) in (None, "")]
    if missing:
        return BadRow(line, f"missing {', '.join(missing)}")
    extra = sorted(set(raw) - set(COLUMNS))
    if extra:
        return BadRow(line, f"unknown {', '.join(extra)}")
    try:
        return TrainingInfo.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return BadRow(line, f"{where}: {first['msg']} (got {first.get('input')!r})")


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=_sniff_delimiter(path))
        unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
        if unknown:
            raise CatalogueError(f"unknown columns {unknown}; expected {list(COLUMNS)}")
        for row in reader:
            try:
                yield reader.line_num, _clean_csv(row)
            except ValueError as exc:
                yield reader.line_num, str(exc)


def _sniff_delimiter(path: Path) -> str:
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _json_rows(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("trainings")
    if not isinstance(data, list):
        raise CatalogueError('JSON must be an array of trainings or {"trainings": [...]}')
    yield from enumerate(data, start=1)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"not valid JSON: {exc.msg}"


def read_catalogue(path: Path, fmt: str | None = None) -> Iterator[TrainingInfo | BadRow]:
    """Each row of the file, validated; the format follows the extension unless given."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    readers = {"csv": _csv_rows, "json": _json_rows, "jsonl": _jsonl_rows}
    if fmt not in readers:
        raise CatalogueError(f"unknown format {fmt!r}: use csv, json or jsonl")
    for line, raw in readers[fmt](path):
        yield BadRow(line, raw) if isinstance(raw, str) else _validated(line, raw)
