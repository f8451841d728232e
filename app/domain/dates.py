"""Dates and instants as the contract writes them. Pydantic on its own would also read ``0`` or
``1700000000`` as a date (seconds since 1970): a typo that silently changes an answer."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")


def _instant_text(value: object) -> object:
    # a number, or a string of one, would be read as seconds since 1970: not an instant here
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.match(value)):
        return value
    raise ValueError("an instant is an RFC 3339 string, like 2026-11-23T10:00:00Z")


EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
"""The dates the service reasons about: arithmetic on a date at year 1 or 9999 overflows."""


def _in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"a date lies between {EARLIEST} and {LATEST}")
    return value


IsoDate = Annotated[date, BeforeValidator(_date_text), AfterValidator(_in_range)]
"""A calendar date, YYYY-MM-DD and nothing else, from 1900 to 2199."""

Instant = Annotated[AwareDatetime, BeforeValidator(_instant_text), AfterValidator(_in_range)]
"""An instant with its offset, as an RFC 3339 string, from 1900 to 2199."""
