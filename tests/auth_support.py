"""A test issuer: a key pair made for the test session and trusted through settings (inline
JWKS, no file), and tokens minted with it for the registered partners."""

from dataclasses import dataclass, field
from typing import Any

from joserfc.jwk import ECKey

from app.domain.access.partners import PartnerRegistry, load_registry
from app.security.devtokens import mint

ISSUER = "https://issuer.test/llr"
AUDIENCE = "llr"


@dataclass
class TestIssuer:
    __test__ = False  # not a test class, whatever its name

    key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256", auto_kid=True))
    registry: PartnerRegistry = field(default_factory=load_registry)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def token(
        self,
        partner: str,
        ssin: str | None = None,
        scopes: list[str] | None = None,
        **claims: Any,
    ) -> str:
        """A token for ``partner`` (all its registered scopes unless ``scopes`` is given),
        citizen-bound when ``ssin`` is given; ``claims`` override the standard ones."""
        policy = self.registry[partner]
        chosen = sorted(policy.scopes) if scopes is None else scopes
        client_id = sorted(policy.client_ids)[0]
        return mint(
            self.key,
            issuer=ISSUER,
            audience=AUDIENCE,
            client_id=client_id,
            scopes=chosen,
            ssin=ssin,
            extra=claims,
        )

    def headers(
        self, partner: str, ssin: str | None = None, scopes: list[str] | None = None, **claims: Any
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(partner, ssin, scopes, **claims)}"}
