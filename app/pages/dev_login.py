"""The development login of ``/mijn-rekening``: pick a test citizen (one the service holds facts
for, shown by number and birth date, never by SSIN) or type a test SSIN; the service mints a
citizen-bound development token of the citizen portal and keeps it in the session cookie.
Where the development issuer is not trusted (``LLR_ENV=production``) these routes are 404."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import RedirectResponse, Response

from app.deps import SessionDep
from app.domain.citizens import citizen_ssin, known_citizens
from app.domain.errors import NotFound
from app.domain.identity import InvalidSsin, Ssin, parse_ssin
from app.pages.account import read_form, set_session
from app.pages.i18n import Texts, choose_language
from app.pages.rendering import render
from app.security.citizen_session import dev_citizen_token, dev_login_allowed
from app.settings import Settings

router = APIRouter(include_in_schema=False)
PATH = "/mijn-rekening/aanmelden"
LISTED = 20


async def _development_only(request: Request) -> Settings:
    """First of the routes' dependencies: in production nothing else runs (no session)."""
    settings: Settings = request.app.state.settings
    if not dev_login_allowed(settings):
        raise NotFound("There is no development login here")
    return settings


DevelopmentOnly = Annotated[Settings, Depends(_development_only)]


async def _form(
    request: Request, session: SessionDep, texts: Texts, error: str | None, status: int
) -> Response:
    vault = request.app.state.vault
    citizens = []
    for n, key in enumerate(await known_citizens(session, LISTED), start=1):
        ssin = await citizen_ssin(session, vault, key)
        born = ssin.birth_date if ssin else None
        label = (
            texts("testCitizen", n=n, date=texts.date(born))
            if born
            else texts("testCitizenUndated", n=n)
        )
        citizens.append({"key": key, "label": label, "id": f"citizen-{n}"})
    return render(
        "login.html",
        texts,
        status=status,
        languages={code: f"{PATH}?lang={code}" for code in ("nl", "fr", "en", "de")},
        citizens=citizens,
        error=error,
        refused=request.query_params.get("refused") == "1",
    )


@router.get(PATH)
async def login_page(
    request: Request,
    _: DevelopmentOnly,
    session: SessionDep,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    texts = Texts(choose_language(lang, accept_language))
    return await _form(request, session, texts, None, 200)


@router.post(PATH)
async def login(request: Request, settings: DevelopmentOnly, session: SessionDep) -> Response:
    form = await read_form(request)
    texts = Texts(choose_language(form.get("lang"), request.headers.get("accept-language")))
    ssin: Ssin | None = None
    if form.get("citizen"):
        ssin = await citizen_ssin(session, request.app.state.vault, form["citizen"][:64])
    elif form.get("ssin", "").strip():
        try:
            ssin = parse_ssin(form["ssin"])
        except InvalidSsin:
            return await _form(request, session, texts, texts("errorSsin"), 400)
    if ssin is None:
        return await _form(request, session, texts, texts("errorPick"), 400)
    token = dev_citizen_token(settings, request.app.state.partners, ssin)
    response = RedirectResponse(f"/mijn-rekening?lang={texts.language}", status_code=303)
    set_session(response, settings, token)
    return response
