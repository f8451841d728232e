"""Citizen identity: the SSIN (INSZ), its validation, and the pseudonymous citizen key.

An SSIN is either a national register number or a BIS number; python-stdnum checks both
(check digits, the BIS month offsets, births from 2000 on). The database never stores an SSIN in
clear: it stores the *citizen key*, an HMAC-SHA256 of the SSIN under a secret from settings, so a
dump of the tables cannot be joined to people without that secret.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from stdnum.be import ssn as stdnum_ssn
from stdnum.exceptions import ValidationError

SsinKind = Literal["nationalRegister", "bis"]
_PUNCTUATION = re.compile(r"[\s.\-/]")


class InvalidSsin(ValueError):
    """The text is not a valid SSIN; the message says why (in English, for the problem detail)."""


@dataclass(frozen=True, slots=True)
class Ssin:
    """A validated SSIN, always 11 digits without punctuation."""

    value: str
    kind: SsinKind

    def __str__(self) -> str:
        return self.value

    @property
    def masked(self) -> str:
        return mask_ssin(self.value)

    @property
    def birth_date(self) -> date | None:
        """The birth date the number encodes, when it encodes a full one."""
        try:
            result: date | None = stdnum_ssn.get_birth_date(self.value)
        except ValidationError:
            return None
        return result


def parse_ssin(text: str) -> Ssin:
    """Validates an SSIN given with or without the usual punctuation (``85.07.30-033.28``)."""
    if not isinstance(text, str):
        raise InvalidSsin("an SSIN is a string of 11 digits")
    compact = _PUNCTUATION.sub("", text)
    if compact and not (compact.isdigit() and compact.isascii()):
        raise InvalidSsin("an SSIN holds only digits and the punctuation . - / or spaces")
    if len(compact) != 11:
        raise InvalidSsin(f"an SSIN has 11 digits, this one has {len(compact)}")
    try:
        stdnum_ssn.validate(compact)
    except ValidationError as exc:
        raise InvalidSsin(f"not a valid national register or BIS number ({exc})") from exc
    kind: SsinKind = "bis" if stdnum_ssn.guess_type(compact) == "bis" else "nationalRegister"
    return Ssin(compact, kind)


def mask_ssin(value: str) -> str:
    """What may be printed of an SSIN: nothing but its length."""
    return "*" * 9 + value[-2:] if len(value) == 11 else "*" * len(value)


@dataclass(frozen=True, slots=True)
class CitizenKeyer:
    """Derives the citizen key (hex HMAC-SHA256) the database uses instead of the SSIN."""

    secret: bytes

    def key(self, ssin: Ssin) -> str:
        return hmac.new(self.secret, ssin.value.encode("ascii"), hashlib.sha256).hexdigest()
