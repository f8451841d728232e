"""The ``next`` link of a page: built from ``LLR_PUBLIC_BASE_URL`` when it is set, otherwise a
relative reference. Never from the request's ``Host`` header, which the caller chooses."""

from fastapi import Request

from app.settings import Settings


def next_link(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    settings: Settings = request.app.state.settings
    url = request.url.include_query_params(cursor=cursor)
    base = (settings.public_base_url or "").rstrip("/")
    return f"{base}{url.path}?{url.query}"
