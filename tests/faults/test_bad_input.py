"""The bad input catalogue, against the real server: each malformed request is answered 4xx
problem+json naming the field at fault, and nothing at all is written."""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.auth_support import TestIssuer
from tests.faults.live import LiveServer
from tests.support import EMPLOYEE_FACTS, grant, make_ssin, qty

pytestmark = pytest.mark.faults

CITIZEN = make_ssin()
BAD_CHECK = CITIZEN[:9] + f"{(int(CITIZEN[9:]) + 1) % 100:02d}"
TABLES = (
    "ledger_transactions",
    "ledger_legs",
    "ledger_accounts",
    "idempotency_keys",
    "decisions",
    "citizen_facts",
    "access_log",
)
RESERVE = {
    "type": "reserve",
    "ssin": CITIZEN,
    "incentive": "vov",
    "amount": qty("2", "HOUR"),
    "reference": "catalogue",
}
FACTS = {"facts": EMPLOYEE_FACTS, "source": "dmfa", "observedOn": "2026-09-01"}
ELIGIBILITY = {"asOf": "2026-11-23", "ssin": CITIZEN, "facts": {"status": "employee"}}
KEY = "5a3e0f0e-7f1b-4c55-9d0e-2b7f3f5a6c01"


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return base | changes


def facts(**changes: Any) -> dict[str, Any]:
    return FACTS | {"facts": EMPLOYEE_FACTS | changes}


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    status: int
    name: str | None
    """The ``issues[].name`` the answer must carry (None: no field to name)."""
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    """Send ``content`` in chunks without a Content-Length."""


def post(case_id: str, body: Any, name: str | None, status: int = 400, **kw: Any) -> Case:
    headers = {"Idempotency-Key": KEY} | kw.pop("headers", {})
    return Case(case_id, "POST", "/transactions", status, name, body, headers=headers, **kw)


def put_facts(case_id: str, body: Any, name: str | None, ssin: str = CITIZEN, **kw: Any) -> Case:
    return Case(case_id, "PUT", f"/citizens/{ssin}/facts", 400, name, body, **kw)


def eligibility(case_id: str, body: Any, name: str | None, **kw: Any) -> Case:
    return Case(case_id, "POST", "/eligibility", 400, name, body, **kw)


def wallet(case_id: str, name: str, ssin: str = CITIZEN, **params: str) -> Case:
    return Case(case_id, "GET", f"/wallet/{ssin}", 400, name, params=params)


HUGE = b'{"type": "reserve", "reference": "' + b"x" * 1_100_000 + b'"}'

CASES = [
    # POST /transactions
    post(
        "txn-malformed-json",
        None,
        "body",
        content=b'{"type": "reserve", "ssin": ',
        headers={"Content-Type": "application/json"},
    ),
    post(
        "txn-wrong-content-type",
        None,
        None,
        status=400,
        content=json.dumps(RESERVE).encode(),
        headers={"Content-Type": "text/plain"},
    ),
    post(
        "txn-form-encoded",
        None,
        None,
        content=b"type=reserve&ssin=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    post(
        "txn-oversized-declared",
        None,
        None,
        status=413,
        content=HUGE,
        headers={"Content-Type": "application/json"},
    ),
    post(
        "txn-oversized-streamed",
        None,
        None,
        status=413,
        content=HUGE,
        chunked=True,
        headers={"Content-Type": "application/json"},
    ),
    post("txn-not-an-object", [RESERVE], "body"),
    post("txn-unknown-field", with_(RESERVE, colour="red"), "colour"),
    post("txn-unknown-type", with_(RESERVE, type="steal"), "type"),
    post("txn-no-type", {k: v for k, v in RESERVE.items() if k != "type"}, "type"),
    post("txn-ssin-bad-check-digits", with_(RESERVE, ssin=BAD_CHECK), "ssin"),
    post("txn-ssin-letters", with_(RESERVE, ssin="8507300332X"), "ssin"),
    post("txn-amount-zero", with_(RESERVE, amount=qty("0", "HOUR")), "amount"),
    post("txn-amount-negative", with_(RESERVE, amount=qty("-5", "HOUR")), "amount"),
    post("txn-amount-over-precise", with_(RESERVE, amount=qty("1.005", "HOUR")), "amount"),
    post(
        "txn-amount-float", with_(RESERVE, amount={"amount": 1.5, "unit": "HOUR"}), "amount.amount"
    ),
    post("txn-amount-not-a-number", with_(RESERVE, amount=qty("ten", "HOUR")), "amount.amount"),
    post("txn-amount-exponent", with_(RESERVE, amount=qty("1e3", "HOUR")), "amount.amount"),
    post(
        "txn-amount-arabic-digits",
        with_(RESERVE, amount=qty("\u0661\u0662", "HOUR")),
        "amount.amount",
    ),
    post(
        "txn-amount-beyond-any-balance",
        with_(RESERVE, amount=qty("1" + "0" * 30, "HOUR")),
        "amount",
    ),
    post("txn-voucher-fraction", with_(RESERVE, amount=qty("1.5", "VOUCHER")), "amount"),
    post("txn-unknown-unit", with_(RESERVE, amount=qty("2", "LITRE")), "amount.unit"),
    post("txn-wrong-unit-for-incentive", with_(RESERVE, amount=qty("2", "EUR")), "amount.unit"),
    post("txn-impossible-expiry", with_(RESERVE, expiresAt="2026-02-30T10:00:00Z"), "expiresAt"),
    post("txn-naive-expiry", with_(RESERVE, expiresAt="2026-12-01T10:00:00"), "expiresAt"),
    post("txn-long-reference", with_(RESERVE, reference="r" * 10_000), "reference"),
    post("txn-control-characters", with_(RESERVE, reference="a\u0000b\u001bc"), "reference"),
    post("txn-long-incentive", with_(RESERVE, incentive="v" * 5_000), "incentive"),
    post("txn-capture-not-a-uuid", {"type": "capture", "reservationId": "42"}, "reservationId"),
    post("txn-no-idempotency-key", RESERVE, "Idempotency-Key", headers={"Idempotency-Key": ""}),
    post(
        "txn-idempotency-key-not-uuid",
        RESERVE,
        "Idempotency-Key",
        headers={"Idempotency-Key": "'; DROP TABLE ledger_legs; --"},
    ),
    # PUT /citizens/{ssin}/facts
    put_facts("facts-bad-check-digits", FACTS, "ssin", ssin=BAD_CHECK),
    put_facts(
        "facts-malformed-json",
        None,
        "body",
        content=b'{"facts": {',
        headers={"Content-Type": "application/json"},
    ),
    put_facts("facts-unknown-fact", facts(colour="red"), "facts.colour"),
    put_facts(
        "facts-fraction-above-one", facts(employmentFraction="1.5"), "facts.employmentFraction"
    ),
    put_facts("facts-hours-above-60", facts(weeklyHours="61"), "facts.weeklyHours"),
    put_facts(
        "facts-negative-months", facts(workExperienceMonths=-1), "facts.workExperienceMonths"
    ),
    put_facts("facts-wrong-enum", facts(status="Employee"), "facts.status"),
    put_facts("facts-impossible-date", with_(FACTS, observedOn="2026-02-30"), "observedOn"),
    put_facts("facts-impossible-birth-date", facts(birthDate="1985-13-01"), "facts.birthDate"),
    put_facts("facts-long-source", with_(FACTS, source="s" * 10_000), "source"),
    put_facts("facts-control-characters", with_(FACTS, source="dm\u0007fa"), "source"),
    put_facts("facts-unknown-field", with_(FACTS, comment="x"), "comment"),
    # POST /eligibility (with an ssin it records an access: a rejected one must not)
    eligibility("eligibility-impossible-date", with_(ELIGIBILITY, asOf="2026-02-30"), "asOf"),
    eligibility("eligibility-bad-check-digits", with_(ELIGIBILITY, ssin=BAD_CHECK), "ssin"),
    eligibility("eligibility-long-ssin", with_(ELIGIBILITY, ssin="8" * 10_000), "ssin"),
    eligibility(
        "eligibility-fraction-text",
        with_(ELIGIBILITY, facts={"employmentFraction": "x"}),
        "facts.employmentFraction",
    ),
    eligibility("eligibility-unknown-field", with_(ELIGIBILITY, wizardStep=3), "wizardStep"),
    eligibility(
        "eligibility-wrong-content-type",
        None,
        None,
        content=json.dumps(ELIGIBILITY).encode(),
        headers={"Content-Type": "text/csv"},
    ),
    # GET /wallet/{ssin} (a read that is recorded in the access log)
    wallet("wallet-impossible-date", "asOf", asOf="2026-02-30"),
    wallet("wallet-not-a-date", "asOf", asOf="yesterday"),
    wallet("wallet-bad-check-digits", "ssin", ssin=BAD_CHECK),
    wallet("wallet-control-characters", "ssin", ssin="85073003328%00"),
]


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t: (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one() for t in TABLES
        }


@pytest.fixture(scope="module")
async def prepared(live: LiveServer, issuer: TestIssuer) -> None:
    """The citizen has facts and a balance: any of the requests, were it valid, would write."""
    async with httpx.AsyncClient(base_url=live.base_url, headers=issuer.headers("dwse")) as http:
        response = await http.put(f"/citizens/{CITIZEN}/facts", json=FACTS)
        assert response.status_code == 200, response.text
        await grant(http, CITIZEN, "vov", "100", "HOUR")


async def _send(http: httpx.AsyncClient, case: Case) -> httpx.Response:
    headers = dict(case.headers)
    if case.chunked:
        assert case.content is not None
        body = case.content

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 64 * 1024):
                yield body[start : start + 64 * 1024]

        return await http.request(case.method, case.path, content=chunks(), headers=headers)
    if case.content is not None:
        return await http.request(
            case.method, case.path, content=case.content, headers=headers, params=case.params
        )
    if case.body is None:
        return await http.request(case.method, case.path, headers=headers, params=case.params)
    return await http.request(
        case.method, case.path, json=case.body, headers=headers, params=case.params
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_bad_input_is_a_named_4xx_and_writes_nothing(
    case: Case, prepared: None, http: httpx.AsyncClient, live_db: AsyncEngine
) -> None:
    before = await _counts(live_db)
    response = await _send(http, case)
    after = await _counts(live_db)
    assert response.status_code == case.status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == case.status
    assert problem["type"].startswith("urn:problem-type:") or case.status == 413
    if case.name is not None:
        names = [issue["name"] for issue in problem.get("issues", [])]
        assert case.name in names, problem
    assert after == before
    # the SSIN is never echoed in an answer about bad input (the path's own aside)
    assert CITIZEN not in response.text.replace(f"/citizens/{CITIZEN}/", "").replace(
        f"/wallet/{CITIZEN}", ""
    ), response.text


def test_the_catalogue_covers_every_kind_of_bad_input() -> None:
    kinds: dict[str, Callable[[str], bool]] = {
        "json": lambda i: "malformed-json" in i,
        "content type": lambda i: "content-type" in i,
        "oversized": lambda i: "oversized" in i,
        "unknown field": lambda i: "unknown" in i,
        "check digits": lambda i: "check-digits" in i,
        "zero": lambda i: "zero" in i,
        "negative": lambda i: "negative" in i,
        "precision": lambda i: "over-precise" in i,
        "unit": lambda i: "unit" in i,
        "dates": lambda i: "impossible" in i,
        "long strings": lambda i: "long" in i,
        "control": lambda i: "control" in i,
    }
    for kind, matches in kinds.items():
        assert any(matches(c.id) for c in CASES), kind


def test_the_server_log_never_shows_the_ssins(live: LiveServer) -> None:
    """Runs after the catalogue (same module): its requests are in the log, their SSINs masked."""
    log = live.log_path.read_text(errors="replace")
    assert f"/wallet/{'*' * 9}{CITIZEN[9:]}" in log  # the wallet reads were logged, masked
    assert CITIZEN not in log
    assert BAD_CHECK not in log
