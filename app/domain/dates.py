"""Dates and instants as the contract writes them. Pydantic on its own would also read ``0`` or
``1700000000`` as a date (seconds since 1970): a typo that silently changes an answer."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


def _instant_text(value: object) -> object:
    if isinstance(value, datetime | str):
        return value
    raise ValueError("an instant is an RFC 3339 string, like 2026-11-23T10:00:00Z")


IsoDate = Annotated[date, BeforeValidator(_date_text)]
"""A calendar date, YYYY-MM-DD and nothing else."""

Instant = Annotated[AwareDatetime, BeforeValidator(_instant_text)]
"""An instant with its offset, as an RFC 3339 string."""
