"""Development tokens: a local key pair (created on first use) and tokens minted with it for the
built-in development partners, so ``curl`` and Swagger UI's "Authorize" work on a laptop.

The service trusts this issuer only when ``LLR_ENV`` is not ``production``; in production it only
verifies tokens of the configured issuers and ``llr token`` refuses to mint.
"""

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

DEV_ISSUER = "urn:llr:development-issuer"
_KEY_FILE = "signing-key.jwk.json"


def load_or_create_key(directory: Path) -> ECKey:
    """The development signing key (ES256), created in ``directory`` on first use. Created by
    writing a temporary file and hard-linking it into place, so two processes starting at once
    end up with the same key."""
    path = directory / _KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        key = ECKey.generate_key("P-256", private=True, auto_kid=True)
        temporary = directory / f".{_KEY_FILE}.{uuid.uuid4().hex}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(key.as_dict(private=True), handle)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            temporary.unlink()
    return ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))


def public_jwks(key: ECKey) -> KeySet:
    return KeySet.import_key_set({"keys": [key.as_dict(private=False)]})


def mint(
    key: ECKey,
    *,
    issuer: str,
    audience: str,
    client_id: str,
    scopes: list[str],
    ssin: str | None = None,
    lifetime_seconds: int = 3600,
    now: int | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """An access token shaped like RFC 9068: ``iss``, ``aud``, ``exp``, ``iat``, ``nbf``, ``sub``,
    ``client_id``, ``scope`` (space separated), ``jti``, and ``ssin`` when citizen-bound."""
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime_seconds,
        "sub": client_id,
        "client_id": client_id,
        "scope": " ".join(scopes),
        "jti": str(uuid.uuid4()),
    }
    if ssin is not None:
        claims["ssin"] = ssin
    claims.update(extra or {})
    claims = {name: value for name, value in claims.items() if value is not None}
    header = {"alg": "ES256", "kid": key.kid, "typ": "at+jwt"}
    return jwt.encode(header, claims, key, algorithms=["ES256"])
