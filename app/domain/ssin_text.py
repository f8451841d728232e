"""The one SSIN detector: where in a text an SSIN hides, however it is spelled.

Free-text validation, log masking and problem echoes all use it, so a spelling that one of them
would miss is missed by none and caught by all. A text is read as runs of digits: any Unicode
decimal digit counts as its ASCII value (``８５`` is 85), invisible characters (zero-width
spaces, soft hyphens, direction marks: Unicode format characters) are skipped, and up to
``MAX_SEPARATOR`` other non-alphanumeric characters between two digits (``.``, ``-``, ``/``,
spaces, `` - ``, ``..``) keep them in the same run; a letter ends it. Every eleven consecutive
digits of a run are an SSIN when the check digits hold (modulo 97, for births before and after
2000): a leading zero or a longer number around it hides nothing.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

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


def _runs(text: str) -> Iterator[list[tuple[int, int]]]:
    """(digit, position) runs of at least eleven digits, as the module docstring reads them."""
    run: list[tuple[int, int]] = []
    gap = 0
    for position, char in enumerate(text):
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
    """Whether eleven digits carry a valid SSIN check (national register or BIS number)."""
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


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
