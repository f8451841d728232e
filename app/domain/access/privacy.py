"""Free text a caller sends (a reference, a reason, a training title) is stored as given; if it
held an SSIN, the record would keep it in clear. So such text is refused, naming the field."""

from typing import Any

from app.domain.errors import InvalidInput
from app.domain.identity import mask_ssin
from app.domain.ssin_text import find_ssins


def refuse_ssins(value: Any, path: str = "") -> None:
    """Raises ``InvalidInput`` for the first string under ``value`` holding an SSIN in any
    spelling (``app.domain.ssin_text``; eleven digits whose check fails, an order number say,
    pass)."""
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_ssins(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_ssins(item, f"{path}[{index}]")
    elif isinstance(value, str):
        for found in find_ssins(value):
            detail = "free text may not hold an SSIN: give it in the ssin field"
            raise InvalidInput(path, mask_ssin(found.digits), detail)
