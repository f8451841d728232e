"""Authentication and authorization for endpoints: the FastAPI side.

Every endpoint except ``/health``, ``/metrics`` and the OpenAPI/Swagger pages takes a principal::

    @router.get("/wallet/{ssin}")
    async def get_wallet(ssin: str, session: SessionDep, keyer: KeyerDep,
                         principal: Annotated[Principal, Depends(require("llr:wallet:read"))]):
        citizen = principal.check_citizen(ssin)            # 403 for another citizen's SSIN
        await record_access(session, principal, keyer.key(citizen), "wallet.read",
                            principal.endpoint)
        ...

``require(*scopes)`` checks the scopes (403 ``missingScope``); ``PrincipalDep`` and ``ActorDep``
only authenticate: an endpoint using them alone accepts any partner's valid token. No token:
401 ``noAccessToken``; a token that does not verify: 401 ``invalidAccessToken``; both with
``WWW-Authenticate``. The token itself is never logged.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc.jwk import KeySet

from app.domain.access.partners import PartnerRegistry
from app.domain.access.principal import Principal
from app.domain.identity import CitizenKeyer
from app.domain.ledger.ports import Actor
from app.observability import trace_id_var
from app.problems import (
    INVALID_ACCESS_TOKEN,
    NO_ACCESS_TOKEN,
    TOO_MANY_REQUESTS,
    ApiProblem,
    ProblemType,
)
from app.security import devtokens
from app.security.principals import principal_from_claims
from app.security.rate_limits import PartnerRateLimits
from app.security.tokens import (
    InvalidToken,
    KeySource,
    RemoteKeys,
    StaticKeys,
    TokenVerifier,
    key_set,
)
from app.settings import Settings

log = logging.getLogger("llr.auth")

bearer = HTTPBearer(
    scheme_name="accessToken",
    bearerFormat="JWT",
    auto_error=False,
    description="An OAuth2 access token (JWT) of a trusted issuer (the development hint is "
    "added by app/openapi.py where the development issuer is trusted)",
)


class DevelopmentKeys:
    """The development issuer's public key, read (or created) on first use, not at start-up:
    generating the OpenAPI document should not create a key pair."""

    def __init__(self, settings: Settings) -> None:
        self.directory = settings.dev_keys_dir
        self._keys: KeySet | None = None

    async def keys(self, kid: str | None) -> KeySet:
        if self._keys is None:
            self._keys = devtokens.public_jwks(devtokens.load_or_create_key(self.directory))
        return self._keys


def build_verifier(settings: Settings) -> TokenVerifier:
    issuers: dict[str, KeySource] = {}
    for trusted in settings.auth_issuers:
        if trusted.jwks_url is not None:
            issuers[trusted.issuer] = RemoteKeys(trusted.jwks_url)
        elif trusted.jwks_file is not None:
            issuers[trusted.issuer] = StaticKeys.from_file(trusted.jwks_file)
        else:
            issuers[trusted.issuer] = StaticKeys(key_set(trusted.jwks or {}))
    if settings.trusts_dev_issuer:
        issuers.setdefault(devtokens.DEV_ISSUER, DevelopmentKeys(settings))
    return TokenVerifier(
        issuers,
        settings.auth_audience,
        settings.auth_leeway_seconds,
        require_typ=settings.auth_require_at_jwt,
        max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
    )


def _unauthorized(kind: ProblemType, detail: str, challenge: str) -> ApiProblem:
    return ApiProblem(kind, detail, headers={"WWW-Authenticate": challenge})


def _bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise _unauthorized(NO_ACCESS_TOKEN, NO_ACCESS_TOKEN.example, 'Bearer realm="llr"')
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("the Authorization header is not 'Bearer <token>'")
    return token.strip()


def _invalid(reason: str) -> ApiProblem:
    log.info("access token refused: %s", reason)
    return _unauthorized(
        INVALID_ACCESS_TOKEN,
        f"The access token is refused: {reason}",
        f'Bearer realm="llr", error="invalid_token", error_description="{reason}"',
    )


def _endpoint(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', 'unknown')}"


async def get_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The authenticated caller (cached for the request, so several dependencies share it)."""
    token = _bearer_token(request)
    verifier: TokenVerifier = request.app.state.verifier
    registry: PartnerRegistry = request.app.state.partners
    keyer: CitizenKeyer = request.app.state.keyer
    try:
        claims = await verifier.verify(token)
        principal = principal_from_claims(
            claims, registry, keyer, trace_id_var.get(), _endpoint(request)
        )
    except InvalidToken as exc:
        raise _invalid(exc.reason) from None
    request.state.partner = principal.partner  # for the log line of a refusal
    limits: PartnerRateLimits = request.app.state.rate_limits
    wait = limits.retry_after(principal.partner)
    if wait is not None:
        log.warning("rate limit reached", extra={"partner": principal.partner})
        raise ApiProblem(
            TOO_MANY_REQUESTS,
            f"Too many requests of {principal.partner}; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the principal, if its token carries every one of ``scopes``."""

    # Security(...) rather than Depends(...): the OpenAPI document then names the scopes in the
    # operation's security requirement (OpenAPI 3.1 allows them for a bearer scheme).
    async def principal_with_scopes(
        principal: Annotated[Principal, Security(get_principal, scopes=list(scopes))],
    ) -> Principal:
        principal.require(*scopes)
        return principal

    return principal_with_scopes


async def get_actor(principal: PrincipalDep) -> Actor:
    return principal.actor


ActorDep = Annotated[Actor, Depends(get_actor)]
