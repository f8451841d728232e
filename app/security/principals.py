"""From verified claims to a ``Principal``: the partner by ``client_id`` (required), the
effective scopes (carried and registered), and the citizen of a citizen-bound token."""

from typing import Any

from app.domain.access.partners import PartnerRegistry
from app.domain.access.principal import MissingPermission, Principal
from app.domain.identity import CitizenKeyer, InvalidSsin, parse_ssin
from app.security.tokens import InvalidToken


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    scope = claims.get("scope", "")
    if isinstance(scope, str):
        # RFC 6749 section 3.3: scope tokens are separated by spaces, nothing else
        return frozenset(s for s in scope.split(" ") if s)
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        return frozenset(scope)
    raise InvalidToken("the scope claim is neither a string nor a list of strings")


def principal_from_claims(
    claims: dict[str, Any],
    registry: PartnerRegistry,
    keyer: CitizenKeyer,
    trace_id: str | None,
    endpoint: str,
) -> Principal:
    client_id = claims.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise InvalidToken("the token names no client (client_id)")
    policy = registry.by_client_id(client_id)
    if policy is None:
        raise MissingPermission("this client is not a registered partner")
    ssin, citizen_key = None, None
    if "ssin" in claims:
        try:
            ssin = parse_ssin(claims["ssin"])
        except InvalidSsin as exc:
            raise InvalidToken("the ssin claim is not a valid SSIN") from exc
        citizen_key = keyer.key(ssin)
    elif policy.citizen_bound_only:
        raise MissingPermission(f"{policy.name} acts only for a citizen: the token needs an ssin")
    return Principal(
        partner=policy.name,
        policy=policy,
        scopes=_scopes(claims) & policy.scopes,
        ssin=ssin,
        citizen_key=citizen_key,
        trace_id=trace_id,
        endpoint=endpoint,
    )
