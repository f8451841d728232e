"""The one place configuration is read. Every variable has the prefix ``LLR_``."""

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_CITIZEN_KEY_SECRET = "dev-only-citizen-key-secret-change-me"  # noqa: S105 - refused in production
# 32 bytes, base64: the development key that seals SSINs at rest; refused in production.
DEV_SSIN_KEYS = "dev1:ZGV2LW9ubHktc3Npbi1rZXktMzItYnl0ZXMtbG9uZyE="


class TrustedIssuer(BaseModel):
    """An issuer whose access tokens the service accepts, with exactly one source of its keys:
    a JWKS file, a JWKS URL, or the JWKS inline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(min_length=1)
    jwks_file: Path | None = None
    jwks_url: str | None = None
    jwks: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> "TrustedIssuer":
        given = [x for x in (self.jwks_file, self.jwks_url, self.jwks) if x is not None]
        if len(given) != 1:
            raise ValueError(f"issuer {self.issuer}: give exactly one of jwks_file, jwks_url, jwks")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLR_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LLR_DATABASE_URL", "DATABASE_URL"),
        description="PostgreSQL URL; without it `llr serve` starts an embedded PostgreSQL.",
    )
    database_replica_url: str | None = Field(
        default=None,
        description="a streaming replica: reads that may be a little stale go there",
    )
    db_pgbouncer: bool = Field(
        default=False,
        description="DATABASE_URL is a PgBouncer in transaction mode: no prepared statements "
        "kept across transactions, no statement_timeout at connect (set it on the database)",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    data_dir: Path = Field(default=Path(".llr/pgdata"), description="embedded PostgreSQL data")
    citizen_key_secret: SecretStr = SecretStr(DEV_CITIZEN_KEY_SECRET)
    ssin_keys: SecretStr = Field(
        default=SecretStr(DEV_SSIN_KEYS),
        description="AES-256 keys sealing SSINs at rest: 'id:base64key,id2:base64key'; the "
        "first is used for new writes, the others still open older rows",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    request_timeout_seconds: float = Field(default=30.0, gt=0)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    log_level: str = "INFO"
    timezone: str = "Europe/Brussels"
    auth_audience: str = Field(default="llr", description="the `aud` tokens must carry")
    auth_issuers: list[TrustedIssuer] = Field(
        default_factory=list,
        description='JSON: [{"issuer": "...", "jwks_url" | "jwks_file" | "jwks": ...}]',
    )
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300, description="clock skew allowed")
    auth_require_at_jwt: bool = Field(
        default=True,
        description="require the header typ at+jwt (RFC 9068); false only for an issuer that "
        "cannot set it",
    )
    auth_max_token_lifetime_seconds: int = Field(
        default=3600, ge=60, description="the longest exp - iat a token may have"
    )
    dev_issuer: bool = Field(
        default=True,
        description="trust the local development issuer (`llr token`); never in production",
    )
    dev_keys_dir: Path = Field(default=Path(".llr/dev-keys"), description="development key pair")
    partners_file: Path | None = Field(default=None, description="default: app/partners.toml")
    rate_limit: str = Field(
        default="6000/minute",
        description="requests per partner and worker (a `limits` expression); empty: none",
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="a request's line and headers must arrive within it"
    )
    max_header_count: int = Field(default=100, ge=10, description="more headers: 431")
    max_header_bytes: int = Field(default=16_384, ge=4096, description="larger headers: 431")
    public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="the service's public URL, for absolute links; none: links are relative",
    )
    webhooks_worker: bool = Field(
        default=True, description="`llr serve` delivers webhooks in-process (each worker)"
    )
    webhook_retry_seconds: list[float] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000],
        min_length=1,
        max_length=20,
        description="the waits before each retry (Standard Webhooks: about 27 h in all); after "
        "the last, a delivery is failed",
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_lease_seconds: float = Field(
        default=60.0, gt=0, description="a claimed delivery a worker did not finish is retried"
    )
    webhook_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    expiring_days: int = Field(
        default=30, ge=1, le=366, description="`right.expiring` and `expiringSoon`: days ahead"
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed cross-origin calls; none: CORS closed"
    )

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        from limits import parse

        if value.strip():
            parse(value)  # ValueError names what is wrong
        return value

    @property
    def trusts_dev_issuer(self) -> bool:
        return self.dev_issuer and self.env != "production"

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> "Settings":
        if self.env == "production":
            if self.citizen_key_secret.get_secret_value() == DEV_CITIZEN_KEY_SECRET:
                raise ValueError("LLR_CITIZEN_KEY_SECRET must be set in production")
            if len(self.citizen_key_secret.get_secret_value()) < 32:
                raise ValueError("LLR_CITIZEN_KEY_SECRET must be at least 32 characters")
            if self.ssin_keys.get_secret_value() == DEV_SSIN_KEYS:
                raise ValueError("LLR_SSIN_KEYS must be set in production")
            if not self.database_url:
                raise ValueError("DATABASE_URL must be set in production")
            if not self.auth_issuers:
                raise ValueError("LLR_AUTH_ISSUERS must name the trusted issuers in production")
            if any(i.jwks_url and not i.jwks_url.startswith("https://") for i in self.auth_issuers):
                raise ValueError("JWKS URLs must use https in production")
            if "*" in self.cors_origins:
                raise ValueError("LLR_CORS_ORIGINS may not be '*' in production")
        return self


def parse_ssin_keys(spec: str) -> tuple[dict[str, bytes], str]:
    """'id:base64,id2:base64' -> ({id: key, ...}, first id)."""
    import base64

    keys: dict[str, bytes] = {}
    for part in spec.split(","):
        key_id, _, encoded = part.strip().partition(":")
        if not key_id or not encoded:
            raise ValueError("LLR_SSIN_KEYS entries look like 'id:base64key'")
        keys[key_id] = base64.b64decode(encoded)
    return keys, next(iter(keys))


class _EnvOnly(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLR_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"


def is_production() -> bool:
    """Whether ``LLR_ENV`` says production, without validating the rest (``llr token`` must
    refuse clearly even when the production secrets are not in this shell)."""
    return _EnvOnly().env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
