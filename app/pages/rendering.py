"""Templates and the headers every citizen page carries: a strict Content-Security-Policy (only
the service's own stylesheet; no script, no frame, forms only to the service), no referrer,
``Content-Language`` and ``Vary: Accept-Language``."""

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, Response

from app.domain.rules.messages import LANGUAGES
from app.pages.i18n import LANGUAGE_NAMES, Texts

PAGES = Path(__file__).parent
STYLESHEET = (PAGES / "static" / "pages.css").read_bytes()
POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Vary": "Accept-Language",
}

environment = Environment(
    loader=FileSystemLoader(PAGES / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def render(
    template: str,
    texts: Texts,
    *,
    status: int = 200,
    languages: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in ``texts.language``; ``languages`` maps each language to this page's address in
    it (the language switch)."""
    html = environment.get_template(template).render(
        t=texts,
        lang=texts.language,
        language_links=[
            (code, LANGUAGE_NAMES[code], (languages or {}).get(code, f"?lang={code}"))
            for code in LANGUAGES
        ],
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers.update(HEADERS | {"Content-Language": texts.language} | (headers or {}))
    return response


def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css")
