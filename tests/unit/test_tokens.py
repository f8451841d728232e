"""Token verification: what passes and every way a token must fail (no database)."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from app.security.tokens import InvalidToken, RemoteKeys, StaticKeys, TokenVerifier, key_set

ISSUER, AUDIENCE = "https://idp.test", "llr"
EC = ECKey.generate_key("P-256", private=True, auto_kid=True)
RSA = RSAKey.generate_key(2048, private=True, auto_kid=True)
STRANGER = ECKey.generate_key("P-256", private=True, auto_kid=True)


def jwks(*keys: ECKey | RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now + 600,
        "iat": now,
        "nbf": now,
        "sub": "vdab",
        "client_id": "vdab",
        "scope": "llr:wallet:read",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: ECKey | RSAKey | OctKey, alg: str, typ: str | None = "at+jwt", **changes: Any) -> str:
    header = {"alg": alg, "kid": key.kid} if key.kid else {"alg": alg}
    if typ is not None:
        header["typ"] = typ
    return jwt.encode(header, claims(**changes), key, algorithms=[alg])


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier({ISSUER: StaticKeys(key_set(jwks(EC, RSA)))}, AUDIENCE, leeway_seconds=5)


async def test_es256_and_rs256_tokens_verify(verifier: TokenVerifier) -> None:
    assert (await verifier.verify(sign(EC, "ES256")))["client_id"] == "vdab"
    assert (await verifier.verify(sign(RSA, "RS256")))["sub"] == "vdab"


async def test_audience_may_be_a_list(verifier: TokenVerifier) -> None:
    assert await verifier.verify(sign(EC, "ES256", aud=["other", AUDIENCE]))


async def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    assert not token or token not in caught.value.reason
    return caught.value.reason


async def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    assert "algorithm" in await refused(verifier, token)


async def test_hmac_signed_with_the_public_key_is_refused(verifier: TokenVerifier) -> None:
    # The classic confusion: HS256 keyed with the issuer's *public* key, which anyone has.
    # (joserfc will not even build such a key, so the attacker's token is made by hand.)
    signing_input = f"{b64({'alg': 'HS256', 'kid': RSA.kid})}.{b64(claims())}"
    mac = hmac.new(RSA.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    assert "algorithm" in await refused(verifier, forged)


async def test_other_algorithms_are_refused_even_with_the_right_key(
    verifier: TokenVerifier,
) -> None:
    assert "algorithm" in await refused(verifier, sign(RSA, "PS256"))


async def test_a_token_signed_by_another_key_is_refused(verifier: TokenVerifier) -> None:
    assert "signature" in await refused(verifier, sign(STRANGER, "ES256"))


async def test_a_tampered_payload_is_refused(verifier: TokenVerifier) -> None:
    header, _, signature = sign(EC, "ES256").split(".")
    tampered = f"{header}.{b64(claims(scope='llr:audit:read'))}.{signature}"
    assert "signature" in await refused(verifier, tampered)


@dataclass(frozen=True)
class Later:
    """An instant this many seconds after the test starts."""

    seconds: int


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": Later(-60)}, "expired"),
        ({"nbf": Later(600)}, "not valid yet"),
        ({"iat": Later(600)}, "issued in the future"),
        ({"aud": "someone-else"}, "another audience"),
        ({"aud": None}, "lacks the claim aud"),
        ({"exp": None}, "lacks the claim exp"),
    ],
)
async def test_claims_are_checked(
    verifier: TokenVerifier, changes: dict[str, Any], reason: str
) -> None:
    now = int(time.time())  # when the test runs, not when the suite was collected
    claims = {k: now + v.seconds if isinstance(v, Later) else v for k, v in changes.items()}
    assert reason in await refused(verifier, sign(EC, "ES256", **claims))


async def test_an_untrusted_issuer_is_refused(verifier: TokenVerifier) -> None:
    assert "issuer" in await refused(verifier, sign(EC, "ES256", iss="https://evil.test"))
    assert "issuer" in await refused(verifier, sign(EC, "ES256", iss=[ISSUER]))


async def test_the_reason_never_echoes_the_header(verifier: TokenVerifier) -> None:
    hostile = {"alg": 'x"€\r\n'}
    token = f"{b64(hostile)}.{b64(claims())}.c2ln"
    reason = await refused(verifier, token)
    assert "€" not in reason
    assert '"' not in reason


async def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    for token in ("abc", "a.b.c", "é.é.é", ""):
        assert "well-formed" in await refused(verifier, token)


def test_a_jwks_with_a_symmetric_key_is_refused() -> None:
    with pytest.raises(ValueError, match="RSA and EC"):
        key_set({"keys": [OctKey.generate_key(256).as_dict()]})


async def test_remote_keys_are_fetched_cached_and_refreshed_for_a_new_kid() -> None:
    served = {"jwks": jwks(EC)}
    fetches = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetches.append(request.url)
        return httpx.Response(200, json=served["jwks"])

    now = [1000.0]
    remote = RemoteKeys(
        "https://idp.test/jwks", transport=httpx.MockTransport(handler), clock=lambda: now[0]
    )
    verifier = TokenVerifier({ISSUER: remote}, AUDIENCE)
    await verifier.verify(sign(EC, "ES256"))
    await verifier.verify(sign(EC, "ES256"))
    assert len(fetches) == 1
    served["jwks"] = jwks(EC, RSA)  # the issuer rotates in a new key
    now[0] += 60
    await verifier.verify(sign(RSA, "RS256"))
    assert len(fetches) == 2


async def test_unreachable_remote_keys_refuse_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    remote = RemoteKeys("https://idp.test/jwks", transport=httpx.MockTransport(handler))
    verifier = TokenVerifier({ISSUER: remote}, AUDIENCE)
    assert "cannot be fetched" in await refused(verifier, sign(EC, "ES256"))


async def test_a_remembered_signature_still_has_its_claims_checked() -> None:
    clock = [int(time.time())]
    verifier = TokenVerifier(
        {ISSUER: StaticKeys(key_set(jwks(EC)))}, AUDIENCE, leeway_seconds=5, now=lambda: clock[0]
    )
    token = sign(EC, "ES256", exp=clock[0] + 60)
    assert (await verifier.verify(token))["client_id"] == "vdab"
    assert (await verifier.verify(token))["client_id"] == "vdab"  # from the cache
    clock[0] += 120
    assert await refused(verifier, token) == "the token has expired"


async def test_a_tampered_token_is_not_taken_for_a_remembered_one(
    verifier: TokenVerifier,
) -> None:
    token = sign(EC, "ES256")
    await verifier.verify(token)
    head, _, signature = token.split(".")
    forged = f"{head}.{b64(claims(client_id='dwse'))}.{signature}"
    assert await refused(verifier, forged) == "the signature does not verify"


# Finding 5 of issue 10: the RFC 9068 access-token profile.


@pytest.mark.parametrize("typ", [None, "JWT", "id+jwt"])
async def test_a_token_not_typed_at_jwt_is_refused(
    verifier: TokenVerifier, typ: str | None
) -> None:
    assert "typ must be at+jwt" in await refused(verifier, sign(EC, "ES256", typ=typ))


async def test_the_typ_check_can_be_turned_off_for_an_issuer_that_cannot_set_it() -> None:
    lenient = TokenVerifier({ISSUER: StaticKeys(key_set(jwks(EC)))}, AUDIENCE, require_typ=False)
    assert await lenient.verify(sign(EC, "ES256", typ=None))
    assert await lenient.verify(sign(EC, "ES256", typ="application/AT+JWT"))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"client_id": None}, "lacks the claim client_id"),
        ({"client_id": ""}, "client_id"),
        ({"iat": None}, "lacks the claim iat"),
        ({"exp": int(time.time()) + 50 * 365 * 86400}, "lives longer than 3600 s"),
    ],
)
async def test_client_id_iat_and_a_bounded_lifetime_are_required(
    verifier: TokenVerifier, changes: dict[str, Any], reason: str
) -> None:
    assert reason in await refused(verifier, sign(EC, "ES256", **changes))


async def test_the_maximum_lifetime_is_configurable() -> None:
    day = TokenVerifier(
        {ISSUER: StaticKeys(key_set(jwks(EC)))}, AUDIENCE, max_lifetime_seconds=86400
    )
    assert await day.verify(sign(EC, "ES256", exp=int(time.time()) + 80000))
