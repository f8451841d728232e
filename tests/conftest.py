"""The test harness: one real PostgreSQL per test session (embedded, or TEST_DATABASE_URL), the
schema built by ``alembic upgrade head``, each test isolated in a transaction rolled back at the
end, and the app exercised over ASGI with httpx."""

import io
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db import create_engine, create_sessionmaker
from app.embedded_pg import EmbeddedPostgres, ensure_database
from app.main import create_app
from app.migrate import upgrade
from app.observability import JsonFormatter
from app.settings import Settings, TrustedIssuer
from tests.auth_support import AUDIENCE, ISSUER, TestIssuer
from tests.support import Clock

TEST_SECRET = "test-citizen-key-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    server: EmbeddedPostgres | None = None
    if given:
        admin_url = given
    else:
        server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data", durable=False).start()
        admin_url = server.url()
    name = f"llr_test_{uuid.uuid4().hex[:8]}"
    ensure_database(_plain(admin_url), name)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    if server is not None:
        server.stop()
    else:
        import asyncio

        async def drop() -> None:
            conn = await asyncpg.connect(_plain(admin_url))
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    """The one issuer the test app trusts (the development issuer is off in tests)."""
    return TestIssuer()


@pytest.fixture(scope="session")
def settings(database_url: str, issuer: TestIssuer) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        citizen_key_secret=TEST_SECRET,
        auth_audience=AUDIENCE,
        dev_issuer=False,
        auth_issuers=[TrustedIssuer(issuer=ISSUER, jwks=issuer.jwks())],
    )


@pytest.fixture
def token_for(issuer: TestIssuer) -> Callable[..., str]:
    """``token_for(partner, ssin=None, scopes=None, **claims)``: a bearer token of the test
    issuer (all the partner's registered scopes unless ``scopes`` is given)."""
    return issuer.token


def _authorized(issuer: TestIssuer) -> dict[str, str]:
    # The Department holds every scope and permission: the default caller of tests that are
    # about something else than authorization.
    return issuer.headers("dwse")


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions bound to one connection whose transaction is rolled back after the test: every
    commit the code makes only releases a savepoint."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield async_sessionmaker(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        await outer.rollback()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _wire(application: FastAPI, clock: Clock) -> FastAPI:
    application.state.clock = clock
    return application


@pytest.fixture
def app(
    settings: Settings, engine: AsyncEngine, db: async_sessionmaker[AsyncSession], clock: Clock
) -> FastAPI:
    application = _wire(create_app(settings), clock)
    application.state.engine = engine
    application.state.sessionmaker = db
    return application


@pytest.fixture
async def session(db: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session on the test's own (rolled back) transaction, to look at what the app wrote."""
    async with db() as session:
        yield session


@pytest.fixture
def committing_app(settings: Settings, engine: AsyncEngine, clock: Clock) -> FastAPI:
    """An app whose requests really commit, each on its own connection: for races. Tests that
    use it work on citizens of their own (fresh SSINs), so nothing needs cleaning up."""
    application = _wire(create_app(settings), clock)
    application.state.engine = engine
    application.state.sessionmaker = create_sessionmaker(engine)
    return application


@pytest.fixture
async def committing_client(
    committing_app: FastAPI, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=committing_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=_authorized(issuer)
    ) as http:
        yield http


@pytest.fixture
async def client(app: FastAPI, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """Calls the app as the Department (dwse); pass ``headers=issuer.headers(...)`` per request
    to call as someone else."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=_authorized(issuer)
    ) as http:
        yield http


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line the code writes during the test, as the JSON formatter prints it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)
