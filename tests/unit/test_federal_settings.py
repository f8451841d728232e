"""The federal sync refuses to run in production with the development client secret or over
plain HTTP; the service itself starts without them (it never calls the federal account)."""

from app.settings import Settings

PRODUCTION = {
    "env": "production",
    "database_url": "postgresql://db/llr",
    "citizen_key_secret": "x" * 40,
    "ssin_keys": "prod1:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
    "auth_issuers": [{"issuer": "https://idp.test", "jwks": {"keys": []}}],
}


def test_the_sync_needs_its_own_secret_and_https_in_production() -> None:
    assert Settings(**PRODUCTION).federal_problems() == [
        "LLR_FEDERAL_CLIENT_SECRET must be set in production",
        "LLR_FEDERAL_URL must use https in production",
    ]
    ready = Settings(
        **PRODUCTION, federal_url="https://fla.example/api", federal_client_secret="s" * 32
    )
    assert ready.federal_problems() == []
    assert Settings(env="development").federal_problems() == []
