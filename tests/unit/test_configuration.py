"""A production misconfiguration is reported at once, in plain words, naming each variable; and
the README's configuration table lists every setting there is."""

import os
import subprocess
import sys
from pathlib import Path

from app.settings import Settings
from tests.auth_support import TestIssuer


def _llr(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LLR_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_missing_production_setting_is_named_in_one_report() -> None:
    run = _llr("migrate", LLR_ENV="production", LLR_CORS_ORIGINS='["*"]')
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "validation error" not in run.stderr.lower()  # pydantic's own wording
    for variable in (
        "LLR_CITIZEN_KEY_SECRET",
        "LLR_SSIN_KEYS",
        "DATABASE_URL",
        "LLR_AUTH_ISSUERS",
        "LLR_CORS_ORIGINS",
    ):
        assert f"  - {variable}" in run.stderr, (variable, run.stderr)


def test_a_malformed_value_is_reported_with_what_production_still_lacks() -> None:
    run = _llr("migrate", LLR_ENV="production", LLR_PORT="eighty")
    assert run.returncode == 2
    assert "  - LLR_PORT: " in run.stderr
    assert "  - DATABASE_URL must be set in production" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_readme_table_names_every_setting(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name in Settings.model_fields:
        variable = "DATABASE_URL" if name == "database_url" else f"LLR_{name.upper()}"
        assert f"`{variable}`" in table, variable


def test_production_shows_no_development_hint(issuer: TestIssuer) -> None:
    import base64

    from app.main import create_app

    production = Settings(
        env="production",
        database_url="postgresql://llr@db.internal/llr",
        citizen_key_secret="a-production-secret-of-at-least-32-chars",
        ssin_keys="k1:" + base64.b64encode(bytes(range(32))).decode(),
        auth_issuers=[{"issuer": "https://idp.example", "jwks": issuer.jwks()}],
    )
    development = Settings(database_url="postgresql://unused/unused")
    shown = str(create_app(production).openapi())
    assert "./dev llr token" not in shown
    assert "./dev llr token" in str(create_app(development).openapi())  # the check can fail
