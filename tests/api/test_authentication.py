"""Authentication over HTTP: the 401s, the open pages, the security scheme, the headers, CORS,
and the development issuer."""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.auth import build_verifier
from app.main import create_app
from app.security.devtokens import DEV_ISSUER, load_or_create_key, mint
from app.settings import Settings, TrustedIssuer
from tests.auth_support import TestIssuer

OWN = "85073003328"


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client without a token."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


def assert_problem(response: httpx.Response, status: int, kind: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:problem-type:belgif:{kind}"


async def test_no_token_is_401_no_access_token(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.get("/transactions")
    assert_problem(response, 401, "noAccessToken")
    assert response.headers["www-authenticate"] == 'Bearer realm="llr"'


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer not.a.jwt"])
async def test_a_malformed_authorization_is_401_invalid(
    anonymous: httpx.AsyncClient, header: str
) -> None:
    response = await anonymous.get("/transactions", headers={"Authorization": header})
    assert_problem(response, 401, "invalidAccessToken")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_an_expired_token_is_401_invalid(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers("dwse", exp=int(time.time()) - 120)
    response = await anonymous.get("/transactions", headers=headers)
    assert_problem(response, 401, "invalidAccessToken")
    assert "expired" in response.json()["detail"]


async def test_an_invalid_ssin_claim_is_401(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers("burgerprofiel", ssin="85073003329")
    assert_problem(await anonymous.get("/transactions", headers=headers), 401, "invalidAccessToken")


async def test_an_unregistered_client_is_403(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers("dwse", client_id="somebody", sub="somebody")
    assert_problem(await anonymous.get("/transactions", headers=headers), 403, "missingPermission")


async def test_a_token_cannot_widen_its_partners_scopes(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers("statistics", scopes=["llr:statistics:read", "llr:transactions:read"])
    response = await anonymous.get("/transactions", headers=headers)
    assert_problem(response, 403, "missingScope")
    assert response.json()["requiredScopes"] == ["llr:transactions:read"]


async def test_a_citizen_bound_token_lists_its_own_transactions_only(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    from tests.support import grant

    await grant(client, OWN, "vov", "10", "HOUR")
    await grant(client, "98472899765", "vov", "10", "HOUR")
    everyone = (await client.get("/transactions")).json()["items"]
    assert {item["ssin"] for item in everyone} >= {OWN, "98472899765"}
    mine = await client.get("/transactions", headers=issuer.headers("burgerprofiel", ssin=OWN))
    assert mine.status_code == 200
    assert {item["ssin"] for item in mine.json()["items"]} == {OWN}


@pytest.mark.parametrize("path", ["/health", "/metrics", "/docs", "/redoc", "/openapi.json"])
async def test_operations_and_documentation_need_no_token(
    anonymous: httpx.AsyncClient, path: str
) -> None:
    assert (await anonymous.get(path)).status_code == 200


async def test_the_html_pages_carry_security_headers(anonymous: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        headers = (await anonymous.get(path)).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"


async def test_the_page_policy_lets_the_pages_load_their_assets(
    anonymous: httpx.AsyncClient,
) -> None:
    import re

    for path in ("/docs", "/redoc"):
        response = await anonymous.get(path)
        policy = response.headers["content-security-policy"]
        for origin in set(re.findall(r"https://[^/\"']+", response.text)):
            assert origin in policy, f"{path} loads from {origin}, which the policy blocks"


async def test_api_answers_are_not_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/transactions")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_contract_declares_the_bearer_scheme(anonymous: httpx.AsyncClient) -> None:
    spec = (await anonymous.get("/openapi.json")).json()
    scheme = spec["components"]["securitySchemes"]["accessToken"]
    assert scheme == scheme | {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert spec["paths"]["/transactions"]["post"]["security"] == [
        {"accessToken": []},
        {"oauth2": ["llr:transactions:write"]},
    ]
    assert spec["paths"]["/wallet/{ssin}/accessLog"]["get"]["security"] == [
        {"accessToken": []},
        {"oauth2": []},
    ]
    flows = spec["components"]["securitySchemes"]["oauth2"]["flows"]
    assert len(flows["clientCredentials"]["scopes"]) == 7
    assert "security" not in spec["paths"]["/health"]["get"]


async def preflight(app: FastAPI) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        return await http.options(
            "/transactions",
            headers={
                "Origin": "https://portal.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )


async def test_cors_is_closed_unless_configured(settings: Settings) -> None:
    closed = await preflight(create_app(settings))
    assert "access-control-allow-origin" not in closed.headers
    opened = await preflight(
        create_app(settings.model_copy(update={"cors_origins": ["https://portal.example"]}))
    )
    assert opened.headers["access-control-allow-origin"] == "https://portal.example"


async def test_the_development_issuer_is_trusted_outside_production_only(
    settings: Settings, tmp_path: Path
) -> None:
    key = load_or_create_key(tmp_path)
    assert load_or_create_key(tmp_path).kid == key.kid  # created once, then reused
    token = mint(key, issuer=DEV_ISSUER, audience="llr", client_id="vdab", scopes=[])
    development = settings.model_copy(update={"dev_issuer": True, "dev_keys_dir": tmp_path})
    assert (await build_verifier(development).verify(token))["client_id"] == "vdab"
    production = Settings(
        env="production",
        database_url="postgresql://db/llr",
        citizen_key_secret="x" * 40,
        ssin_keys="prod1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
        auth_issuers=[
            TrustedIssuer(issuer="https://idp.test", jwks={"keys": [key.as_dict(private=False)]})
        ],
    )
    assert not production.trusts_dev_issuer
    from app.security.tokens import InvalidToken

    with pytest.raises(InvalidToken, match="issuer is not trusted"):
        await build_verifier(production).verify(token)


def test_production_needs_trusted_issuers() -> None:
    with pytest.raises(ValueError, match="LLR_AUTH_ISSUERS"):
        Settings(
            env="production",
            database_url="postgresql://db/llr",
            citizen_key_secret="x" * 40,
            ssin_keys="prod1:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
        )


def test_llr_token_refuses_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import main

    monkeypatch.setenv("LLR_ENV", "production")
    assert main(["token", "--partner", "vdab"]) == 2


async def test_llr_token_mints_a_token_the_service_accepts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
) -> None:
    from app.cli import main
    from app.settings import get_settings

    monkeypatch.setenv("LLR_ENV", "development")
    monkeypatch.setenv("LLR_DEV_KEYS_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        code = main(["token", "--partner", "burgerprofiel", "--ssin", "85.07.30-033.28"])
    finally:
        get_settings.cache_clear()
    assert code == 0
    token = capsys.readouterr().out.strip()
    development = settings.model_copy(update={"dev_issuer": True, "dev_keys_dir": tmp_path})
    claims = await build_verifier(development).verify(token)
    assert claims["ssin"] == OWN
    assert set(claims["scope"].split()) == {
        "llr:eligibility",
        "llr:wallet:read",
        "llr:transactions:read",
    }


async def test_a_hostile_token_header_is_a_401_not_a_500(anonymous: httpx.AsyncClient) -> None:
    import base64
    import json

    def b64(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    for header, claims in (
        ({"alg": 'x"€'}, {}),
        ({"alg": "ES256"}, {"iss": ["a", "b"]}),
        ({"alg": "ES256", "kid": {"x": 1}}, {"iss": "y"}),
    ):
        token = f"{b64(header)}.{b64(claims)}.c2ln"
        response = await anonymous.get(
            "/transactions", headers={"Authorization": f"Bearer {token}"}
        )
        assert_problem(response, 401, "invalidAccessToken")


async def test_scopes_are_split_on_spaces_only(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    # finding 5 of issue 10: "a\tb" is one (unknown) scope, not two
    headers = issuer.headers("dwse", scope="llr:wallet:read\tllr:transactions:read")
    assert_problem(await anonymous.get("/transactions", headers=headers), 403, "missingScope")
    headers = issuer.headers("dwse", scope="llr:wallet:read  llr:transactions:read")
    assert (await anonymous.get("/transactions", headers=headers)).status_code == 200


async def test_a_token_without_client_id_is_refused_even_with_sub(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    headers = issuer.headers("dwse", client_id=None)
    response = await anonymous.get("/transactions", headers=headers)
    assert_problem(response, 401, "invalidAccessToken")
    assert "client_id" in response.json()["detail"]
