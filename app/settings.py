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
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_CITIZEN_KEY_SECRET = "dev-only-citizen-key-secret-change-me"  # noqa: S105 - refused in production
# 32 bytes, base64: the development key that seals SSINs at rest; refused in production.
DEV_SSIN_KEYS = "dev1:ZGV2LW9ubHktc3Npbi1rZXktMzItYnl0ZXMtbG9uZyE="
DEV_FEDERAL_CLIENT_SECRET = "dev-only-federal-client-secret"  # noqa: S105 - refused in production


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
    migrate_on_start: bool = Field(
        default=True,
        description="`llr serve` applies the migrations first; the container image sets false "
        "(migrations are a release step of their own: `llr migrate`)",
    )
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
    simulation_workers: int = Field(
        default=1,
        ge=0,
        le=8,
        description="worker processes a simulation's rules run in (0: a thread of the service)",
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
    federal_url: str = Field(
        default="http://127.0.0.1:8099",
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="the federal learning account's API (`llr federal simulate` in development)",
    )
    federal_token_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="its OAuth2 token endpoint; none: LLR_FEDERAL_URL + /oauth2/token",
    )
    federal_client_id: str = Field(default="llr", min_length=1)
    federal_client_secret: SecretStr = SecretStr(DEV_FEDERAL_CLIENT_SECRET)
    federal_timeout_seconds: float = Field(default=10.0, gt=0, description="per HTTP call")
    federal_attempts: int = Field(default=5, ge=1, le=20, description="tries per call")
    federal_stale_after_hours: float = Field(
        default=26.0, gt=0, description="the wallet marks the federal right stale after it"
    )
    statistics_page: Literal["public", "token"] | None = Field(
        default=None,
        description="who may open GET /statistieken (suppressed aggregates only): public, or "
        "token (a bearer token with llr:statistics:read, e.g. set by the Department's proxy); "
        "none: public outside production, token in production",
    )

    @property
    def statistics_page_public(self) -> bool:
        mode = self.statistics_page or ("token" if self.env == "production" else "public")
        return mode == "public"

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        from limits import parse

        if value.strip():
            parse(value)  # ValueError names what is wrong
        return value

    def federal_problems(self) -> list[str]:
        """Why the federal sync may not run with these settings (checked by ``llr federal
        sync``, not at the service's start: the service never calls the federal account)."""
        if self.env != "production":
            return []
        problems = []
        if self.federal_client_secret.get_secret_value() == DEV_FEDERAL_CLIENT_SECRET:
            problems.append("LLR_FEDERAL_CLIENT_SECRET must be set in production")
        if not self.federal_url.startswith("https://"):
            problems.append("LLR_FEDERAL_URL must use https in production")
        return problems

    @property
    def trusts_dev_issuer(self) -> bool:
        return self.dev_issuer and self.env != "production"

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> "Settings":
        if self.env == "production":
            problems = production_problems(self)
            if problems:
                raise ValueError("\n".join(problems))
        return self


def production_problems(settings: Settings) -> list[str]:
    """Everything production needs and does not have, each in plain words (all at once: an
    operator should not discover them one start at a time)."""
    problems = []
    secret = settings.citizen_key_secret.get_secret_value()
    if secret == DEV_CITIZEN_KEY_SECRET:
        problems.append("LLR_CITIZEN_KEY_SECRET must be set in production (32 characters or more)")
    elif len(secret) < 32:
        problems.append("LLR_CITIZEN_KEY_SECRET must be at least 32 characters")
    if settings.ssin_keys.get_secret_value() == DEV_SSIN_KEYS:
        problems.append("LLR_SSIN_KEYS must be set in production ('id:base64key,...')")
    if not settings.database_url:
        problems.append("DATABASE_URL must be set in production")
    if not settings.auth_issuers:
        problems.append("LLR_AUTH_ISSUERS must name the trusted issuers in production")
    if any(i.jwks_url and not i.jwks_url.startswith("https://") for i in settings.auth_issuers):
        problems.append("LLR_AUTH_ISSUERS: JWKS URLs must use https in production")
    if "*" in settings.cors_origins:
        problems.append("LLR_CORS_ORIGINS may not be '*' in production")
    return problems


class ConfigurationError(Exception):
    """The settings cannot be used; ``problems`` says why, one line each, naming the variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _variable(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return ""
    name = str(loc[0])
    return "DATABASE_URL" if name == "database_url" else "LLR_" + name.upper()


def _plain(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        variable = _variable(tuple(error.get("loc", ())))
        lines = message.splitlines() or ["invalid"]
        problems += [f"{variable}: {line}" if variable else line for line in lines]
    return problems


def load_settings() -> Settings:
    """The settings from the environment, or ``ConfigurationError`` listing every problem in
    plain words (never a validation traceback): the malformed variables, and what production
    still lacks once they are set aside."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = _plain(exc)
        malformed = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        if malformed:
            defaults = {
                name: Settings.model_fields[name].get_default(call_default_factory=True)
                for name in malformed
                if name in Settings.model_fields
            }
            try:
                Settings(**defaults)
            except ValidationError as rest:
                problems += [p for p in _plain(rest) if p not in problems]
        raise ConfigurationError(problems) from None


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
    return load_settings()
