"""The citizen pages over HTTP (in process, real PostgreSQL): languages and headers, the
wizard's state in the URL and its errors, the portal's token hand-over, the access log, and no
development login where the development issuer is not trusted. The browser tests
(``tests/browser``) drive the same pages in chromium."""

import re
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.access.log import access_log
from app.domain.quantities import Quantity, Unit
from app.domain.rules import INCENTIVES
from app.main import create_app
from app.pages.i18n import Texts
from app.pages.wizard import answer_paths
from app.settings import Settings, TrustedIssuer
from tests.auth_support import AUDIENCE, ISSUER, TestIssuer
from tests.support import EMPLOYEE_FACTS

SSIN = "85073003328"
PERSONA = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in EMPLOYEE_FACTS.items()}
PERSONA["timeCredit.regime"] = "none"


@pytest.fixture
async def browser_like(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client without a partner token, as a citizen's browser."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


def asked(html: str) -> str | None:
    found = re.search(r'name="asked" value="([^"]+)"', html)
    return found.group(1) if found else None


def form_fields(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)


async def walk(http: httpx.AsyncClient, start: str, persona: dict[str, str]) -> tuple[int, str]:
    """Answers each step's question from ``persona`` (else "I don't know") as the form would
    submit it; returns the number of questions asked and the result page."""
    response = await http.get(start)
    for steps in range(40):
        assert response.status_code == 200, response.text
        fact = asked(response.text)
        if fact is None:
            return steps, response.text
        path = next(p for p, f in answer_paths().items() if f == fact)
        fields = [(n, v) for n, v in form_fields(response.text) if n != "asked"]
        fields.append(("asked", fact))
        fields.append((path, persona[path]) if path in persona else ("skip", fact))
        redirect = await http.get("/wegwijzer", params=fields)
        assert redirect.status_code == 303
        response = await http.get(redirect.headers["location"])
    raise AssertionError("no result")


async def test_language_headers_and_policy(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.get("/wegwijzer", headers={"Accept-Language": "de-BE,fr;q=0.5"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "de"
    assert response.headers["vary"] == "Accept-Language"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert '<html lang="de">' in response.text
    chosen = await browser_like.get("/wegwijzer?lang=fr", headers={"Accept-Language": "de"})
    assert chosen.headers["content-language"] == "fr"
    css = await browser_like.get("/static/pages.css")
    assert css.headers["content-type"].startswith("text/css")


async def test_the_wizard_answers_from_the_url_alone(browser_like: httpx.AsyncClient) -> None:
    steps, result = await walk(browser_like, "/wegwijzer?lang=en", PERSONA)
    assert 5 <= steps <= len(answer_paths())
    assert result.count('<article class="incentive') == len(INCENTIVES)
    assert Texts("en")("resultTitle") in result
    assert Texts("en").quantity(Quantity(Decimal(250), Unit.EUR)) in result


async def test_a_bad_answer_is_a_400_page_naming_the_question_without_echoing_it(
    browser_like: httpx.AsyncClient,
) -> None:
    response = await browser_like.get(
        "/wegwijzer",
        params={
            "lang": "nl",
            "status": "employee",
            "asked": "weeklyHours",
            "weeklyHours": "85073003328",
        },
    )
    assert response.status_code == 400
    assert "85073003328" not in response.text
    assert Texts("nl")("errorSummary") in response.text
    assert asked(response.text) == "weeklyHours"
    assert 'aria-invalid="true"' in response.text
    again = await browser_like.get(
        "/wegwijzer", params={"status": "employee", "ask": "weeklyHours", "was": "85073003328"}
    )
    assert again.status_code == 200
    assert asked(again.text) == "weeklyHours"
    assert "85073003328" not in again.text
    tampered = await browser_like.get("/wegwijzer", params={"status": "astronaut"})
    assert tampered.status_code == 400
    assert asked(tampered.text) == "status"


async def test_i_dont_know_is_kept_in_the_url_and_the_question_not_asked_again(
    browser_like: httpx.AsyncClient,
) -> None:
    redirect = await browser_like.get(
        "/wegwijzer", params={"lang": "nl", "asked": "status", "skip": "status"}
    )
    assert redirect.status_code == 303
    query = parse_qsl(urlsplit(redirect.headers["location"]).query)
    assert ("unknown", "status") in query
    page = await browser_like.get(redirect.headers["location"])
    assert asked(page.text) not in (None, "status")


async def test_no_token_no_account_and_no_development_login_without_its_issuer(
    browser_like: httpx.AsyncClient,
) -> None:
    page = await browser_like.get("/mijn-rekening")
    assert page.status_code == 401
    assert Texts("nl")("portalTitle") in page.text
    login = await browser_like.get("/mijn-rekening/aanmelden")
    assert login.status_code == 404
    assert login.headers["content-type"] == "application/problem+json"
    posted = await browser_like.post("/mijn-rekening/aanmelden", data={"ssin": SSIN})
    assert posted.status_code == 404


async def test_the_development_login_is_refused_in_production(
    database_url: str, issuer: TestIssuer
) -> None:
    settings = Settings(
        env="production",
        database_url=database_url,
        citizen_key_secret="production-like-secret-0123456789abcdef",
        ssin_keys="p1:cHJvZHVjdGlvbi1saWtlLWtleS0zMi1ieXRlcy1vayE=",
        auth_audience=AUDIENCE,
        auth_issuers=[TrustedIssuer(issuer=ISSUER, jwks=issuer.jwks())],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://testserver"
    ) as http:
        response = await http.get("/mijn-rekening/aanmelden")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:problem-type:belgif:resourceNotFound"


async def declare(client: httpx.AsyncClient) -> None:
    response = await client.put(
        f"/citizens/{SSIN}/facts",
        json={"facts": EMPLOYEE_FACTS, "source": "dmfa", "observedOn": "2024-01-01"},
    )
    assert response.status_code in (200, 201), response.text


async def test_the_portal_hands_over_the_citizens_token_and_the_read_is_logged(
    client: httpx.AsyncClient,
    browser_like: httpx.AsyncClient,
    issuer: TestIssuer,
    session: AsyncSession,
) -> None:
    await declare(client)
    token = issuer.token("burgerprofiel", ssin=SSIN)
    handed = await browser_like.post("/mijn-rekening/sessie", data={"token": token, "lang": "fr"})
    assert handed.status_code == 303
    cookie = handed.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/mijn-rekening" in cookie
    page = await browser_like.get(handed.headers["location"])
    assert page.status_code == 200, page.text
    assert page.headers["content-language"] == "fr"
    assert SSIN not in page.text
    fr = Texts("fr")
    assert fr.incentive_name("vov") in page.text
    assert fr("accessTitle") in page.text
    rows = (
        await session.execute(
            select(access_log.c.partner, access_log.c.citizen_bound).where(
                access_log.c.endpoint == "GET /mijn-rekening"
            )
        )
    ).all()
    assert [tuple(r) for r in rows] == [("burgerprofiel", True)]
    # a portal that proxies the page may send the token itself
    browser_like.cookies.clear()
    direct = await browser_like.get("/mijn-rekening", headers={"Authorization": f"Bearer {token}"})
    assert direct.status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda i: i.token("dwse"), id="a partner's token, bound to no citizen"),
        pytest.param(lambda i: i.token("burgerprofiel", ssin=SSIN, scopes=[]), id="no scope"),
        pytest.param(lambda i: "not-a-jwt", id="not a token"),
    ],
)
async def test_a_token_that_is_not_a_citizens_own_is_refused(
    browser_like: httpx.AsyncClient, issuer: TestIssuer, token: Any
) -> None:
    handed = await browser_like.post("/mijn-rekening/sessie", data={"token": token(issuer)})
    assert handed.status_code == 401
    assert "llr_citizen=ey" not in handed.headers.get("set-cookie", "")
    page = await browser_like.get(
        "/mijn-rekening", headers={"Authorization": f"Bearer {token(issuer)}"}
    )
    assert page.status_code == 401


async def test_the_account_page_names_a_sector_funds_right_as_the_fund_declared_it(
    client: httpx.AsyncClient, browser_like: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    grant = {
        "type": "grant",
        "ssin": SSIN,
        "incentive": "cevoraOpleidingsbudget",
        "amount": {"amount": "500", "unit": "EUR"},
    }
    posted = await client.post(
        "/transactions",
        json=grant,
        headers=issuer.headers("cevora") | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert posted.status_code == 201, posted.text
    token = issuer.token("burgerprofiel", ssin=SSIN)
    page = await browser_like.get(
        "/mijn-rekening?lang=de", headers={"Authorization": f"Bearer {token}"}
    )
    assert page.status_code == 200, page.text
    assert "Cevora-Ausbildungsbudget (PK 200)" in page.text
    assert "cevoraOpleidingsbudget" not in page.text
