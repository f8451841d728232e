"""The one SSIN detector: where in a text an SSIN hides, however it is spelled.

Free-text validation, log masking and problem echoes all use it, so a spelling that one of them
would miss is missed by none and caught by all. A text is read as runs of digits: any Unicode
decimal digit counts as its ASCII value (``８５`` is 85), invisible characters (zero-width
spaces, soft hyphens, direction marks: Unicode format characters) are skipped, and up to
``MAX_SEPARATOR`` other non-alphanumeric characters between two digits (``.``, ``-``, ``/``,
spaces, `` - ``, ``..``) keep them in the same run; a letter ends it, and a UUID is one token,
not digits. Every eleven consecutive digits of a run are an SSIN when they are valid (check
digits and a possible birth date): a leading zero or a longer number around it hides nothing.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from stdnum.be import ssn as stdnum_ssn

MAX_SEPARATOR = 3
"""Non-digit characters allowed between two digits of one run (``85.07.30 - 033.28`` has 3)."""


@dataclass(frozen=True, slots=True)
class Found:
    """An SSIN in a text: its eleven ASCII digits and where they stand (``positions`` indexes the
    original text, one per digit)."""

    digits: str
    positions: tuple[int, ...]


def _digit(char: str) -> int | None:
    if char.isascii():
        return ord(char) - 48 if "0" <= char <= "9" else None
    value = unicodedata.digit(char, None)
    return value if value is not None and unicodedata.decimal(char, value) == value else None


def _invisible(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char) in ("Cf", "Mn", "Me")


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _runs(text: str) -> Iterator[list[tuple[int, int]]]:
    """(digit, position) runs of at least eleven digits, as the module docstring reads them."""
    uuids = {i for m in _UUID.finditer(text) for i in range(m.start(), m.end())}
    run: list[tuple[int, int]] = []
    gap = 0
    for position, char in enumerate(text):
        if position in uuids:  # a UUID is one token (references often carry one)
            char = "x"
        digit = _digit(char)
        if digit is not None:
            if gap > MAX_SEPARATOR and len(run) >= 11:
                yield run
            if gap > MAX_SEPARATOR:
                run = []
            run.append((digit, position))
            gap = 0
        elif _invisible(char):
            continue
        elif char.isalnum():
            if len(run) >= 11:
                yield run
            run, gap = [], 0
        else:
            gap += 1
    if len(run) >= 11:
        yield run


def check_digits_hold(digits: str) -> bool:
    """Whether eleven digits are a valid SSIN: check digits (modulo 97, births before and after
    2000) and a possible birth date or BIS number, as python-stdnum checks them."""
    return bool(stdnum_ssn.is_valid(digits))


_USUAL_SHAPE = re.compile(r"(?<!\d)\d{2}[.\-/ ]?\d{2}[.\-/ ]?\d{2}[.\-/ ]?\d{3}[.\-/ ]?\d{2}(?!\d)")
"""Eleven digits alone or as an SSIN is usually punctuated (``85.07.30-033.28``)."""


def find_ssins(text: str, *, mistyped: bool = False) -> list[Found]:
    """Every SSIN in ``text``; with ``mistyped``, also eleven digits in an SSIN's usual shape
    whose check fails (a mistyped SSIN is still personal data: logs and echoes mask it)."""
    found: list[Found] = []
    for run in _runs(text):
        digits = "".join(str(d) for d, _ in run)
        for start in range(len(run) - 10):
            window = digits[start : start + 11]
            if check_digits_hold(window):
                found.append(Found(window, tuple(p for _, p in run[start : start + 11])))
    if mistyped:
        for match in _USUAL_SHAPE.finditer(text):
            places = tuple(i for i in range(match.start(), match.end()) if text[i].isdigit())
            found.append(Found("".join(text[i] for i in places), places))
    return found


def holds_ssin(text: str) -> bool:
    return bool(find_ssins(text))


def mask_ssins(text: str) -> str:
    """The text with every SSIN (mistyped ones too) masked: each digit but the last two a ``*``,
    the invisible characters among them dropped."""
    found = find_ssins(text, mistyped=True)
    if not found:
        return text
    hidden = {p for f in found for p in f.positions[:-2]}
    inside = {p for f in found for p in range(f.positions[0], f.positions[-1])}
    return "".join(
        "*" if i in hidden else c for i, c in enumerate(text) if not (i in inside and _invisible(c))
    )
