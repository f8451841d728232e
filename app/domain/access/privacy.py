"""Free text a caller sends (a reference, a reason, a training title) is stored as given; if it
held an SSIN, the record would keep it in clear. So such text is refused, naming the field."""

import re
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.identity import InvalidSsin, mask_ssin, parse_ssin

_SSIN_LIKE = re.compile(r"(?<!\d)\d{2}[.\-/ ]?\d{2}[.\-/ ]?\d{2}[.\-/ ]?\d{3}[.\-/ ]?\d{2}(?!\d)")


def refuse_ssins(value: Any, path: str = "") -> None:
    """Raises ``InvalidInput`` for the first string under ``value`` holding a valid SSIN (eleven
    digits that are not an SSIN, an order number say, pass)."""
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_ssins(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_ssins(item, f"{path}[{index}]")
    elif isinstance(value, str):
        for match in _SSIN_LIKE.finditer(value):
            try:
                found = parse_ssin(match.group())
            except InvalidSsin:
                continue
            detail = "free text may not hold an SSIN: give it in the ssin field"
            raise InvalidInput(path, mask_ssin(found.value), detail)
