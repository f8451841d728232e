"""GET /mijn-rekening: the citizen's own account. Per right, in both pillars: available,
reserved, used, expired, the period and its end, what expires within 30 days, the history of
transactions and who consulted the account. Reading it is on the access log, like
``GET /wallet/{ssin}``. How the citizen gets here: ``app/security/citizen_session.py``."""

from datetime import date
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import RedirectResponse, Response

from app.deps import AsOfDep, LedgerDep, SessionDep, wallet_options
from app.domain.access.log import read_access_log
from app.domain.access.principal import AccessDenied, Principal
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.queries import TransactionFilter, list_transactions
from app.domain.quantities import Quantity
from app.domain.wallet import RightView, WalletView, wallet
from app.observability import trace_id_var
from app.pages.i18n import Texts, choose_language
from app.pages.rendering import render
from app.problem_types import BAD_REQUEST, CONTENT_TOO_LARGE
from app.problems import ApiProblem
from app.security.citizen_session import (
    COOKIE,
    COOKIE_PATH,
    citizen_principal,
    dev_login_allowed,
)
from app.security.tokens import InvalidToken
from app.settings import Settings

router = APIRouter(include_in_schema=False)
ENDPOINT = "GET /mijn-rekening"
"""A right whose period ends within this is "what you can still miss"."""
HISTORY, CONSULTED = 50, 30
"""The most transactions and access-log entries one page shows (bounded work)."""
MAX_FORM_BYTES = 16_384


def _languages(path: str) -> dict[str, str]:
    return {code: f"{path}?lang={code}" for code in ("nl", "fr", "en", "de")}


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def _label(texts: Texts, prefix: str, code: str) -> str:
    key = f"{prefix}_{code.replace('.', '_')}"
    return texts(key) if texts.has(key) else code


def _action(texts: Texts, action: str) -> str:
    if texts.has(f"action_{action.replace('.', '_')}"):
        return _label(texts, "action", action)
    head, _, kind = action.partition(".")
    if head == "transaction" and texts.has(f"txn_{kind}"):
        return texts("action_transaction", kind=texts(f"txn_{kind}").lower())
    return action


def _right(right: RightView, soon: bool, texts: Texts) -> dict[str, object]:
    b = right.balances
    return {
        "name": texts.incentive_name(right.incentive),
        "pillar": right.pillar,
        "period": texts(
            "period", start=texts.date(right.period.start), end=texts.date(right.period.end)
        ),
        "expires": texts("expiresOn", date=texts.date(right.period.end)),
        "soon": soon,
        "available": texts.quantity(b.quantity(b.available)),
        "rows": [
            (texts(name), texts.quantity(b.quantity(minor)))
            for name, minor in (
                ("granted", b.granted),
                ("carriedIn", b.carried_in),
                ("reserved", b.reserved),
                ("used", b.used),
                ("expired", b.expired),
            )
            if minor or name in ("granted", "reserved", "used")
        ],
        "warning": texts(
            "expiringSoon",
            amount=texts.quantity(b.quantity(b.available)),
            date=texts.date(right.period.end),
        )
        if soon
        else None,
    }


async def _page(
    request: Request,
    ledger: LedgerDep,
    session: SessionDep,
    principal: Principal,
    as_of: date,
    texts: Texts,
) -> Response:
    assert principal.ssin is not None
    assert principal.citizen_key is not None
    citizen = CitizenRef(principal.ssin, principal.citizen_key)
    access = principal.access(citizen.key, "wallet.read")
    settings: Settings = request.app.state.settings
    view: WalletView = await wallet(
        ledger,
        principal.actor,
        citizen,
        as_of,
        texts.language,
        access,
        options=wallet_options(settings),
    )
    vault = request.app.state.vault
    history = await list_transactions(
        session, TransactionFilter(citizen_key=citizen.key), vault, ledger.now, HISTORY
    )
    consulted = await read_access_log(session, citizen.key, CONSULTED)
    rights = [_right(r, r in view.expiring_soon, texts) for r in view.rights]
    pillars = [
        (texts(f"pillar_{pillar}"), [r for r in rights if r["pillar"] == pillar])
        for pillar in ("money", "time")
    ]
    return render(
        "wallet.html",
        texts,
        languages=_languages("/mijn-rekening"),
        as_of=texts.date(as_of),
        pillars=[(name, items) for name, items in pillars if items],
        expiring=[r for r in rights if r["soon"]],
        entitlements=[
            {
                "name": texts.incentive_name(e.incentive),
                "status": texts(f"status_{e.status}"),
                "amount": texts("perMonth", amount=texts.quantity(e.monthly_amount))
                if e.monthly_amount
                else None,
            }
            for e in view.entitlements
            if e.status == "eligible"
        ],
        history=[
            {
                "at": texts.instant(t.created_at),
                "kind": _label(texts, "txn", t.type),
                "incentive": texts.incentive_name(t.incentive),
                "amount": texts.quantity(Quantity(t.amount.amount, t.amount.unit)),
                "status": _label(texts, "tstatus", t.status),
                "who": _label(texts, "partner", t.caller),
            }
            for t in history.items
        ],
        consulted=[
            {
                "at": texts.instant(e.at),
                "who": _label(texts, "partner", e.partner),
                "what": _action(texts, e.action),
            }
            for e in consulted.items
        ],
        referrals=view.referrals,
    )


def _not_logged_in(settings: Settings, texts: Texts, refused: bool) -> Response:
    if dev_login_allowed(settings):
        return RedirectResponse(
            f"/mijn-rekening/aanmelden?lang={texts.language}{'&refused=1' if refused else ''}",
            status_code=303,
        )
    response = render(
        "portal.html",
        texts,
        status=401,
        languages=_languages("/mijn-rekening"),
        refused=refused,
        headers={"WWW-Authenticate": 'Bearer realm="llr"'},
    )
    if refused:
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/mijn-rekening")
async def mijn_rekening(
    request: Request,
    ledger: LedgerDep,
    session: SessionDep,
    as_of: AsOfDep,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    texts = Texts(choose_language(lang, accept_language), request.app.state.catalog.sector)
    settings: Settings = request.app.state.settings
    token = _token(request)
    if token is None:
        return _not_logged_in(settings, texts, refused=False)
    state = request.app.state
    try:
        principal = await citizen_principal(
            token,
            state.verifier,
            state.partners,
            state.keyer,
            trace_id_var.get(),
            ENDPOINT,
        )
    except (InvalidToken, AccessDenied):
        return _not_logged_in(settings, texts, refused=True)
    return await _page(request, ledger, session, principal, as_of, texts)


async def read_form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body, each field once (bounded)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ApiProblem(CONTENT_TOO_LARGE, "The form is too large")
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiProblem(BAD_REQUEST, "Not a form") from exc
    return {name: values[0] for name, values in fields.items()}


def set_session(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.auth_max_token_lifetime_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.env == "production",
    )


@router.post("/mijn-rekening/sessie")
async def handover(request: Request) -> Response:
    """The portal's hand-over: its citizen token, verified, kept in the session cookie."""
    form = await read_form(request)
    state = request.app.state
    token = form.get("token", "")
    language = choose_language(form.get("lang"), request.headers.get("accept-language"))
    try:
        await citizen_principal(
            token, state.verifier, state.partners, state.keyer, trace_id_var.get(), ENDPOINT
        )
    except (InvalidToken, AccessDenied):
        return _not_logged_in(state.settings, Texts(language), refused=True)
    response = RedirectResponse(f"/mijn-rekening?lang={language}", status_code=303)
    set_session(response, state.settings, token)
    return response


@router.post("/mijn-rekening/afmelden")
async def logout(request: Request) -> Response:
    form = await read_form(request)
    language = choose_language(form.get("lang"), request.headers.get("accept-language"))
    response = RedirectResponse(f"/wegwijzer?lang={language}", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response
