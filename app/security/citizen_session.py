"""The citizen's own session on the pages (``/mijn-rekening``).

Production: the citizen portal (Mijn Burgerprofiel) hands over the citizen's access token, a
citizen-bound token of a configured issuer (``LLR_AUTH_ISSUERS``), either as
``Authorization: Bearer`` on each request (a portal that proxies the page) or once, by an
auto-submitted form ``POST /mijn-rekening/sessie`` with the field ``token``; the service then
keeps it in a cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` unless in development, path
``/mijn-rekening``, for no longer than the token lives). Every request verifies it again as the
API does: signature, issuer, audience, expiry, an ``ssin`` claim and ``llr:wallet:read``.

Development: a login page picks a test citizen and mints a citizen-bound token of the
development issuer for the ``burgerprofiel`` partner; never in production."""

from app.domain.access.partners import PartnerRegistry
from app.domain.access.principal import MissingScope, Principal
from app.domain.identity import CitizenKeyer, Ssin
from app.security.devtokens import DEV_ISSUER, load_or_create_key, mint
from app.security.principals import principal_from_claims
from app.security.tokens import InvalidToken, TokenVerifier
from app.settings import Settings

COOKIE = "llr_citizen"
COOKIE_PATH = "/mijn-rekening"
SCOPE = "llr:wallet:read"
PORTAL = "burgerprofiel"
MAX_TOKEN_CHARS = 8192


def dev_login_allowed(settings: Settings) -> bool:
    """The development login exists only where the development issuer is trusted."""
    return settings.trusts_dev_issuer


async def citizen_principal(
    token: str,
    verifier: TokenVerifier,
    registry: PartnerRegistry,
    keyer: CitizenKeyer,
    trace_id: str | None,
    endpoint: str,
) -> Principal:
    """The citizen a token is bound to; ``InvalidToken`` or ``MissingScope`` otherwise."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("the token is too long")
    claims = await verifier.verify(token)
    principal = principal_from_claims(claims, registry, keyer, trace_id, endpoint)
    if not principal.citizen_bound:
        raise InvalidToken("the token is not bound to a citizen")
    principal.require(SCOPE)
    return principal


def dev_citizen_token(settings: Settings, registry: PartnerRegistry, ssin: Ssin) -> str:
    """A development token of the citizen portal, bound to ``ssin``."""
    assert dev_login_allowed(settings), "no development tokens in production"
    policy = registry[PORTAL]
    return mint(
        load_or_create_key(settings.dev_keys_dir),
        issuer=DEV_ISSUER,
        audience=settings.auth_audience,
        client_id=sorted(policy.client_ids)[0],
        scopes=sorted(policy.scopes),
        ssin=ssin.value,
        lifetime_seconds=min(3600, settings.auth_max_token_lifetime_seconds),
    )


__all__ = [
    "COOKIE",
    "COOKIE_PATH",
    "InvalidToken",
    "MissingScope",
    "citizen_principal",
    "dev_citizen_token",
    "dev_login_allowed",
]
