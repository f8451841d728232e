"""Cursors and ``next`` links of the listings.

A cursor is the repository's own, sealed with an HMAC: an edited cursor is refused (400) before
any query sees it, whatever it was edited into. The ``next`` link is built from
``LLR_PUBLIC_BASE_URL`` when set, otherwise a relative reference; never from the request's
``Host`` header, which the caller chooses."""

import base64
import hashlib
import hmac

from fastapi import Request

from app.domain.errors import InvalidInput
from app.settings import Settings


def _signature(settings: Settings, cursor: str) -> str:
    key = hashlib.sha256(b"llr-cursor:" + settings.citizen_key_secret.get_secret_value().encode())
    mac = hmac.new(key.digest(), cursor.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def open_cursor(request: Request, cursor: str | None) -> str | None:
    """The repository's cursor inside a sealed one, or 400 if it was not sealed here."""
    if cursor is None:
        return None
    settings: Settings = request.app.state.settings
    inner, _, signature = cursor.rpartition(".")
    if not inner or not hmac.compare_digest(signature, _signature(settings, inner)):
        raise InvalidInput("cursor", None, "not a cursor this service gave out", "query")
    return inner


def next_link(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    settings: Settings = request.app.state.settings
    sealed = f"{cursor}.{_signature(settings, cursor)}"
    url = request.url.include_query_params(cursor=sealed)
    base = (settings.public_base_url or "").rstrip("/")
    return f"{base}{url.path}?{url.query}"
