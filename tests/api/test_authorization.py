"""Who may do what, as one table: partner x endpoint x whose citizen x scope present or missing.

Every row names the partner, the endpoint (with the incentive it concerns), whose citizen the
token is bound to (``any``: not bound; ``own``: bound to the citizen the request is about;
``other``: bound to someone else), whether the token carries the endpoint's scope, and what must
happen. A refused row also proves that nothing was written (ledger, idempotency keys, access
log); an allowed row that touches a citizen proves that it was logged.

New endpoints join by adding an ``Endpoint`` (how to prepare, how to call, which scope, whether
an allowed call is logged) and rows: e.g. ``/wallet/{ssin}``, ``/citizens/{ssin}/facts``,
``/eligibility``, ``/decisions/{id}``.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth_support import TestIssuer
from tests.support import EMPLOYEE_FACTS, grant, post_txn, qty

OWN = "85073003328"
OTHER = "98472899765"
AMOUNTS = {  # granted, then used by one request, in the incentive's unit
    "vov": ("100", "10", "HOUR"),
    "opleidingscheques": ("250", "50", "EUR"),
    "opleidingsrecht": ("25", "1", "DAY"),
    "loopbaancheques": ("2", "1", "VOUCHER"),
}
TABLES = (
    "ledger_transactions",
    "ledger_legs",
    "idempotency_keys",
    "access_log",
    "citizen_facts",
    "decisions",
)
FACTS = EMPLOYEE_FACTS

Context = dict[str, Any]
Call = tuple[str, str, dict[str, Any] | None]


@dataclass(frozen=True)
class Endpoint:
    scope: str | None
    prepare: Callable[[httpx.AsyncClient, str], Awaitable[Context]]
    call: Callable[[Context], Call]
    logs: Callable[[httpx.Response], int]  # how many access-log rows an allowed call appends


async def _nothing(client: httpx.AsyncClient, incentive: str) -> Context:
    return {"incentive": incentive}


async def _granted(client: httpx.AsyncClient, incentive: str) -> Context:
    total, _, unit = AMOUNTS[incentive]
    granted = await grant(client, OWN, incentive, total, unit)
    await grant(client, OTHER, incentive, total, unit)  # someone else's data exists too
    return {"incentive": incentive, "grant": granted["id"]}


async def _held(client: httpx.AsyncClient, incentive: str) -> Context:
    context = await _granted(client, incentive)
    _, part, unit = AMOUNTS[incentive]
    hold = await post_txn(
        client, {"type": "reserve", "ssin": OWN, "incentive": incentive, "amount": qty(part, unit)}
    )
    assert hold.status_code == 201, hold.text
    return context | {"hold": hold.json()["id"]}


async def _facts(client: httpx.AsyncClient, incentive: str) -> Context:
    for ssin in (OWN, OTHER):
        response = await client.put(
            f"/citizens/{ssin}/facts",
            json={"facts": FACTS, "source": "dmfa", "observedOn": "2026-01-05"},
        )
        assert response.status_code == 200, response.text
    return {"incentive": incentive}


async def _decided(client: httpx.AsyncClient, incentive: str) -> Context:
    context = await _facts(client, incentive)
    wallet = (await client.get(f"/wallet/{OWN}")).json()
    [right] = [r for r in wallet["rights"] if r["incentive"] == incentive]
    return context | {"decision": right["decisionId"]}


def _booking(kind: str) -> Callable[[Context], Call]:
    def call(context: Context) -> Call:
        incentive = context["incentive"]
        _, part, unit = AMOUNTS[incentive]
        return (
            "POST",
            "/transactions",
            {"type": kind, "ssin": OWN, "incentive": incentive, "amount": qty(part, unit)},
        )

    return call


WRITE, READ = "llr:transactions:write", "llr:transactions:read"


def ONE(response: httpx.Response) -> int:  # upper case: reads as a constant in the table
    return 1


def NONE(response: httpx.Response) -> int:
    return 0


ENDPOINTS: dict[str, Endpoint] = {
    "reserve": Endpoint(WRITE, _granted, _booking("reserve"), logs=ONE),
    "redeem": Endpoint(WRITE, _granted, _booking("redeem"), logs=ONE),
    "grant": Endpoint(WRITE, _nothing, _booking("grant"), logs=ONE),
    "capture": Endpoint(
        WRITE,
        _held,
        lambda c: ("POST", "/transactions", {"type": "capture", "reservationId": c["hold"]}),
        logs=ONE,
    ),
    "release": Endpoint(
        WRITE,
        _held,
        lambda c: ("POST", "/transactions", {"type": "release", "reservationId": c["hold"]}),
        logs=ONE,
    ),
    "reverse": Endpoint(
        WRITE,
        _granted,
        lambda c: (
            "POST",
            "/transactions",
            {"type": "reverse", "transactionId": c["grant"], "reason": "posted in error"},
        ),
        logs=ONE,
    ),
    "getTransaction": Endpoint(
        READ, _granted, lambda c: ("GET", f"/transactions/{c['grant']}", None), logs=ONE
    ),
    "listForCitizen": Endpoint(
        READ, _granted, lambda c: ("GET", f"/transactions?ssin={OWN}", None), logs=ONE
    ),
    "listAll": Endpoint(
        READ,
        _granted,
        lambda c: ("GET", "/transactions", None),
        logs=lambda r: len({i["ssin"] for i in r.json()["items"]}),
    ),
    "takeUp": Endpoint(
        "llr:statistics:read",
        _granted,
        lambda c: ("GET", f"/statistics/takeUp?incentive={c['incentive']}&by=educationLevel", None),
        logs=NONE,
    ),  # aggregates: on the statistics' own log, no citizen's access log
    "matthew": Endpoint(
        "llr:statistics:read",
        _granted,
        lambda c: ("GET", f"/statistics/matthew?incentive={c['incentive']}", None),
        logs=NONE,
    ),
    "accessLog": Endpoint(
        "llr:audit:read", _granted, lambda c: ("GET", f"/wallet/{OWN}/accessLog", None), logs=ONE
    ),
    "health": Endpoint(None, _nothing, lambda c: ("GET", "/health", None), logs=NONE),
    "wallet": Endpoint(
        "llr:wallet:read", _facts, lambda c: ("GET", f"/wallet/{OWN}", None), logs=ONE
    ),
    "putFacts": Endpoint(
        "llr:facts:write",
        _nothing,
        lambda c: (
            "PUT",
            f"/citizens/{OWN}/facts",
            {"facts": FACTS, "source": "dmfa", "observedOn": "2026-01-05"},
        ),
        logs=ONE,
    ),
    "getFacts": Endpoint(
        "llr:wallet:read", _facts, lambda c: ("GET", f"/citizens/{OWN}/facts", None), logs=ONE
    ),
    "eligibility": Endpoint(
        "llr:eligibility", _facts, lambda c: ("POST", "/eligibility", {"ssin": OWN}), logs=ONE
    ),
    "decision": Endpoint(
        "llr:audit:read", _decided, lambda c: ("GET", f"/decisions/{c['decision']}", None), logs=ONE
    ),
}

Citizen = Literal["any", "own", "other"]
Scopes = Literal["all", "missing", "noToken"]
OK, SCOPE, PERMISSION, NO_TOKEN = "ok", "missingScope", "missingPermission", "noAccessToken"


@dataclass(frozen=True)
class Case:
    partner: str
    endpoint: str
    incentive: str
    citizen: Citizen
    scopes: Scopes
    expect: str

    @property
    def id(self) -> str:
        return (
            f"{self.partner}-{self.endpoint}-{self.incentive}-{self.citizen}-{self.scopes}"
            f"-{self.expect}"
        )


def C(
    partner: str, endpoint: str, incentive: str, citizen: Citizen, scopes: Scopes, expect: str
) -> Case:
    return Case(partner, endpoint, incentive, citizen, scopes, expect)


CASES = [
    # reserve: VDAB for the vouchers it runs, federal for its own right, the Department for all
    C("dwse", "reserve", "vov", "any", "all", OK),
    C("dwse", "reserve", "vov", "any", "missing", SCOPE),
    C("dwse", "reserve", "vov", "own", "all", OK),
    C("dwse", "reserve", "vov", "other", "all", PERMISSION),
    C("vdab", "reserve", "opleidingscheques", "any", "all", OK),
    C("vdab", "reserve", "opleidingscheques", "own", "all", OK),
    C("vdab", "reserve", "opleidingscheques", "other", "all", PERMISSION),
    C("vdab", "reserve", "opleidingscheques", "any", "missing", SCOPE),
    C("vdab", "reserve", "vov", "any", "all", PERMISSION),
    C("federal", "reserve", "opleidingsrecht", "any", "all", OK),
    C("federal", "reserve", "vov", "any", "all", PERMISSION),
    C("burgerprofiel", "reserve", "vov", "own", "all", SCOPE),
    C("burgerprofiel", "reserve", "vov", "any", "all", PERMISSION),
    C("statistics", "reserve", "vov", "any", "all", SCOPE),
    C("nobody", "reserve", "vov", "any", "noToken", NO_TOKEN),
    # redeem
    C("vdab", "redeem", "loopbaancheques", "any", "all", OK),
    C("vdab", "redeem", "vov", "any", "all", PERMISSION),
    C("federal", "redeem", "opleidingsrecht", "own", "all", OK),
    C("federal", "redeem", "opleidingscheques", "any", "all", PERMISSION),
    C("dwse", "redeem", "opleidingscheques", "any", "all", OK),
    # grant: the Department, and the federal account for its own right only
    C("dwse", "grant", "vov", "any", "all", OK),
    C("dwse", "grant", "vov", "other", "all", PERMISSION),
    C("federal", "grant", "opleidingsrecht", "any", "all", OK),
    C("federal", "grant", "opleidingsrecht", "any", "missing", SCOPE),
    C("federal", "grant", "vov", "any", "all", PERMISSION),
    C("vdab", "grant", "opleidingscheques", "any", "all", PERMISSION),
    C("statistics", "grant", "vov", "any", "all", SCOPE),
    # capture and release: checked against the hold's incentive and citizen
    C("vdab", "capture", "opleidingscheques", "any", "all", OK),
    C("vdab", "capture", "opleidingscheques", "other", "all", PERMISSION),
    C("vdab", "capture", "vov", "any", "all", PERMISSION),
    C("federal", "capture", "opleidingsrecht", "any", "all", OK),
    C("federal", "capture", "loopbaancheques", "any", "all", PERMISSION),
    C("dwse", "capture", "vov", "own", "all", OK),
    C("vdab", "release", "loopbaancheques", "own", "all", OK),
    C("vdab", "release", "loopbaancheques", "any", "missing", SCOPE),
    C("federal", "release", "vov", "any", "all", PERMISSION),
    C("burgerprofiel", "release", "vov", "own", "all", SCOPE),
    C("dwse", "release", "vov", "other", "all", PERMISSION),
    # reverse: the Department only
    C("dwse", "reverse", "vov", "any", "all", OK),
    C("dwse", "reverse", "vov", "other", "all", PERMISSION),
    C("dwse", "reverse", "vov", "any", "missing", SCOPE),
    C("vdab", "reverse", "opleidingscheques", "any", "all", PERMISSION),
    C("federal", "reverse", "opleidingsrecht", "any", "all", PERMISSION),
    # one transaction: another citizen's is 403, not 404
    C("dwse", "getTransaction", "vov", "any", "all", OK),
    # a partner reads the incentives it may post (issue 10, finding 4): VDAB runs the vouchers
    C("vdab", "getTransaction", "vov", "any", "all", PERMISSION),
    C("vdab", "getTransaction", "opleidingscheques", "any", "all", OK),
    C("vdab", "getTransaction", "vov", "any", "missing", SCOPE),
    C("burgerprofiel", "getTransaction", "vov", "own", "all", OK),
    C("burgerprofiel", "getTransaction", "vov", "other", "all", PERMISSION),
    C("burgerprofiel", "getTransaction", "vov", "own", "missing", SCOPE),
    C("federal", "getTransaction", "opleidingsrecht", "any", "all", SCOPE),
    C("statistics", "getTransaction", "vov", "any", "all", SCOPE),
    C("nobody", "getTransaction", "vov", "any", "noToken", NO_TOKEN),
    # listing one citizen's transactions, or all
    C("burgerprofiel", "listForCitizen", "vov", "own", "all", OK),
    C("burgerprofiel", "listForCitizen", "vov", "other", "all", PERMISSION),
    C("vdab", "listForCitizen", "vov", "any", "all", OK),
    C("dwse", "listForCitizen", "vov", "any", "missing", SCOPE),
    C("statistics", "listForCitizen", "vov", "any", "all", SCOPE),
    C("dwse", "listAll", "vov", "any", "all", OK),
    C("vdab", "listAll", "vov", "other", "all", OK),  # narrowed to the token's citizen
    C("federal", "listAll", "vov", "any", "all", SCOPE),
    # the access log: the citizen, or auditors
    C("burgerprofiel", "accessLog", "vov", "own", "all", OK),
    C("burgerprofiel", "accessLog", "vov", "other", "all", PERMISSION),
    C("vdab", "accessLog", "vov", "own", "all", OK),
    C("vdab", "accessLog", "vov", "any", "all", SCOPE),
    C("dwse", "accessLog", "vov", "any", "all", OK),
    C("dwse", "accessLog", "vov", "any", "missing", SCOPE),
    C("dwse", "accessLog", "vov", "other", "all", PERMISSION),
    C("statistics", "accessLog", "vov", "any", "all", SCOPE),
    C("nobody", "accessLog", "vov", "any", "noToken", NO_TOKEN),
    # the wallet: the citizen through their portal, the doors that serve them, the Department
    C("burgerprofiel", "wallet", "vov", "own", "all", OK),
    C("burgerprofiel", "wallet", "vov", "other", "all", PERMISSION),
    C("vdab", "wallet", "vov", "any", "all", OK),
    C("vdab", "wallet", "vov", "any", "missing", SCOPE),
    C("federal", "wallet", "vov", "any", "all", OK),
    C("dwse", "wallet", "vov", "other", "all", PERMISSION),
    C("statistics", "wallet", "vov", "any", "all", SCOPE),
    C("nobody", "wallet", "vov", "any", "noToken", NO_TOKEN),
    # facts: written by those who hold them, read with the wallet scope
    C("vdab", "putFacts", "vov", "any", "all", OK),
    C("vdab", "putFacts", "vov", "any", "missing", SCOPE),
    C("dwse", "putFacts", "vov", "other", "all", PERMISSION),
    C("burgerprofiel", "putFacts", "vov", "own", "all", SCOPE),
    C("federal", "putFacts", "vov", "any", "all", SCOPE),
    C("burgerprofiel", "getFacts", "vov", "own", "all", OK),
    C("burgerprofiel", "getFacts", "vov", "other", "all", PERMISSION),
    C("dwse", "getFacts", "vov", "any", "missing", SCOPE),
    C("statistics", "getFacts", "vov", "any", "all", SCOPE),
    # eligibility for a known citizen reads their facts
    C("burgerprofiel", "eligibility", "vov", "own", "all", OK),
    C("burgerprofiel", "eligibility", "vov", "other", "all", PERMISSION),
    C("vdab", "eligibility", "vov", "any", "all", OK),
    C("vdab", "eligibility", "vov", "any", "missing", SCOPE),
    C("federal", "eligibility", "vov", "any", "all", SCOPE),
    C("nobody", "eligibility", "vov", "any", "noToken", NO_TOKEN),
    # decision receipts: auditors
    C("dwse", "decision", "vov", "any", "all", OK),
    C("dwse", "decision", "vov", "any", "missing", SCOPE),
    C("vdab", "decision", "vov", "any", "all", SCOPE),
    C("burgerprofiel", "decision", "vov", "own", "all", SCOPE),
    # statistics: aggregates, for the statistics users and the Department
    C("statistics", "takeUp", "vov", "any", "all", OK),
    C("statistics", "takeUp", "vov", "any", "missing", SCOPE),
    C("dwse", "takeUp", "opleidingscheques", "any", "all", OK),
    C("vdab", "takeUp", "vov", "any", "all", SCOPE),
    C("burgerprofiel", "takeUp", "vov", "own", "all", SCOPE),
    C("nobody", "takeUp", "vov", "any", "noToken", NO_TOKEN),
    C("statistics", "matthew", "vov", "any", "all", OK),
    C("federal", "matthew", "opleidingsrecht", "any", "all", SCOPE),
    # health needs no token
    C("nobody", "health", "vov", "any", "noToken", OK),
    C("statistics", "health", "vov", "any", "all", OK),
]


def _headers(issuer: TestIssuer, case: Case, endpoint: Endpoint) -> dict[str, str] | None:
    if case.scopes == "noToken":
        return None
    scopes = sorted(issuer.registry[case.partner].scopes)
    if case.scopes == "missing":
        assert endpoint.scope in scopes, "a 'missing' row must drop a scope the partner has"
        scopes.remove(endpoint.scope)
    ssin = {"any": None, "own": OWN, "other": OTHER}[case.citizen]
    return issuer.headers(case.partner, ssin=ssin, scopes=scopes)


async def send(
    client: httpx.AsyncClient, call: Call, headers: dict[str, str] | None
) -> httpx.Response:
    method, url, body = call
    request = client.build_request(method, url, json=body)  # PUT and POST carry a body
    del request.headers["Authorization"]  # the client's default (dwse) token
    request.headers.update(headers or {})
    if method == "POST":
        request.headers["Idempotency-Key"] = str(uuid.uuid4())
    return await client.send(request)


async def counts(session: AsyncSession) -> dict[str, int]:
    return {
        table: int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
        for table in TABLES
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_authorization(
    case: Case, client: httpx.AsyncClient, session: AsyncSession, issuer: TestIssuer
) -> None:
    endpoint = ENDPOINTS[case.endpoint]
    context = await endpoint.prepare(client, case.incentive)
    before = await counts(session)
    response = await send(client, endpoint.call(context), _headers(issuer, case, endpoint))
    after = await counts(session)
    if case.expect == OK:
        assert response.status_code in (200, 201), response.text
        assert after["access_log"] == before["access_log"] + endpoint.logs(response)
        return
    status = 401 if case.expect == NO_TOKEN else 403
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:problem-type:belgif:{case.expect}"
    assert after == before, "a refused request wrote something"


def test_the_table_covers_every_partner_and_endpoint() -> None:
    assert len(CASES) >= 40
    assert {c.partner for c in CASES} >= {"burgerprofiel", "vdab", "federal", "dwse", "statistics"}
    assert {c.endpoint for c in CASES} == set(ENDPOINTS)
    assert len({c.id for c in CASES}) == len(CASES)
