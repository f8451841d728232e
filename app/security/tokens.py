"""Verifying OAuth2 bearer access tokens (JWT, RFC 9068 style) with joserfc.

Only RS256 and ES256 are accepted, and only keys of type RSA or EC are ever loaded, so neither
``alg: none`` nor an HMAC signed with a published public key can pass. The token names its issuer;
the signature must verify against *that* issuer's keys; then, per RFC 9068, the header's ``typ``
must be ``at+jwt`` (an ID token is not an access token; ``require_typ=False`` for an issuer that
cannot), ``iss``, ``aud``, ``exp``, ``iat`` and ``client_id`` are required, ``exp - iat`` may not
exceed ``max_lifetime_seconds``, and ``nbf`` is checked when present. Every failure is an
``InvalidToken`` whose reason is safe to show: it never repeats the token.
"""

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet

ALGORITHMS = ("RS256", "ES256")
SIGNATURE_CACHE_SECONDS = 60.0
SIGNATURE_CACHE_SIZE = 4096
_KEY_TYPES = {"RSA", "EC"}
_ACCESS_TOKEN_TYPES = {"at+jwt", "application/at+jwt"}  # RFC 9068 section 4: case-insensitive


class InvalidToken(Exception):
    """The token cannot be accepted; ``reason`` says why without echoing it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def key_set(jwks: Mapping[str, Any]) -> KeySet:
    """A JWKS (``{"keys": [...]}``) of RSA and EC public keys; anything else is refused."""
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise ValueError("a JWKS needs a non-empty 'keys' list")
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") not in _KEY_TYPES:
            raise ValueError("only RSA and EC keys may verify tokens")
    return KeySet.import_key_set({"keys": keys})


class KeySource(Protocol):
    async def keys(self, kid: str | None) -> KeySet: ...


@dataclass(frozen=True, slots=True)
class StaticKeys:
    """Keys given inline or read from a JWKS file at start-up."""

    key_set: KeySet

    @classmethod
    def from_file(cls, path: Path) -> "StaticKeys":
        return cls(key_set(json.loads(path.read_text(encoding="utf-8"))))

    async def keys(self, kid: str | None) -> KeySet:
        return self.key_set


@dataclass(slots=True)
class RemoteKeys:
    """A JWKS URL, fetched on first use, kept for ``ttl`` seconds, fetched again early (at most
    every ``min_refresh`` seconds) when a token names a key id it does not know (key rotation)."""

    url: str
    ttl: float = 300.0
    min_refresh: float = 30.0
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], float] = time.monotonic
    _cached: KeySet | None = field(default=None, init=False)
    _fetched_at: float = field(default=float("-inf"), init=False)

    async def keys(self, kid: str | None) -> KeySet:
        age = self.clock() - self._fetched_at
        unknown = self._cached is not None and kid is not None and not _has_kid(self._cached, kid)
        if self._cached is None or age > self.ttl or (unknown and age > self.min_refresh):
            await self._fetch()
        assert self._cached is not None
        return self._cached

    async def _fetch(self) -> None:
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=5.0) as http:
                response = await http.get(self.url)
                response.raise_for_status()
                fetched = key_set(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            if self._cached is None:
                raise InvalidToken("the issuer's keys cannot be fetched") from exc
            return  # keep verifying with the keys we have
        self._cached, self._fetched_at = fetched, self.clock()


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys)


@dataclass(frozen=True, slots=True)
class TokenVerifier:
    issuers: Mapping[str, KeySource]
    audience: str
    leeway_seconds: int = 30
    require_typ: bool = True
    max_lifetime_seconds: int = 3600
    now: Callable[[], int] = field(default=lambda: int(time.time()))

    _signatures: "OrderedDict[str, tuple[float, dict[str, Any], str]]" = field(
        default_factory=OrderedDict, compare=False, repr=False
    )
    """Tokens whose signature verified lately: a partner sends the same token with every request
    for its lifetime, and the signature check is the dearest part of a small request. Only the
    signature is remembered, for at most ``SIGNATURE_CACHE_SECONDS`` (less than the keys of a
    remote issuer are kept): the claims, expiry included, are checked on every request."""

    async def verify(self, token: str) -> dict[str, Any]:
        cached = self._signatures.get(token)
        if cached is None or time.monotonic() - cached[0] > SIGNATURE_CACHE_SECONDS:
            claims, issuer = await self._verify_signature(token)
            self._signatures[token] = (time.monotonic(), claims, issuer)
            if len(self._signatures) > SIGNATURE_CACHE_SIZE:
                self._signatures.popitem(last=False)
        else:
            _, claims, issuer = cached
        self._check_claims(claims, issuer)
        return dict(claims)

    async def _verify_signature(self, token: str) -> tuple[dict[str, Any], str]:
        header, claims = _peek(token)
        if header.get("alg") not in ALGORITHMS:
            # not echoed: the reason goes into a response header, and the value is the caller's
            raise InvalidToken("the algorithm is not accepted (RS256 or ES256 only)")
        if self.require_typ and str(header.get("typ", "")).lower() not in _ACCESS_TOKEN_TYPES:
            raise InvalidToken("the token is not an access token (typ must be at+jwt)")
        issuer = claims.get("iss")
        source = self.issuers.get(issuer) if isinstance(issuer, str) else None
        if source is None:
            raise InvalidToken("the issuer is not trusted")
        kid = header.get("kid")
        keys = await source.keys(kid if isinstance(kid, str) else None)
        try:
            verified = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        except JoseError as exc:
            raise InvalidToken("the signature does not verify") from exc
        return dict(verified.claims), claims["iss"]

    def _check_claims(self, claims: dict[str, Any], issuer: str) -> None:
        registry = jwt.JWTClaimsRegistry(
            now=self.now,
            leeway=self.leeway_seconds,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            iat={"essential": True},
            client_id={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise InvalidToken("the token has expired") from exc
        except MissingClaimError as exc:
            raise InvalidToken(f"the token lacks the claim {exc.claim}") from exc
        except InvalidClaimError as exc:
            raise InvalidToken(_claim_reason(exc)) from exc
        lifetime = _number(claims["exp"]) - _number(claims["iat"])
        if lifetime > self.max_lifetime_seconds + self.leeway_seconds:
            raise InvalidToken(f"the token lives longer than {self.max_lifetime_seconds} s")
        if not isinstance(claims["client_id"], str) or not claims["client_id"]:
            raise InvalidToken("the claim client_id of the token is not valid")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken("the token's exp and iat must be numbers")
    return float(value)


def _claim_reason(exc: InvalidClaimError) -> str:
    return {
        "nbf": "the token is not valid yet",
        "iat": "the token was issued in the future",
        "aud": "the token is for another audience",
        "iss": "the token is from another issuer",
    }.get(exc.claim, f"the claim {exc.claim} of the token is not valid")


def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before verification: only to pick the issuer's keys."""
    try:
        obj = jws.extract_compact(token.encode("ascii"))
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise InvalidToken("the token is not a well-formed JWT") from exc
    if not isinstance(claims, dict):
        raise InvalidToken("the token is not a well-formed JWT")
    return dict(obj.protected), claims
