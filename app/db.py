"""Async engine and session factories, and the declarative base every table uses."""

import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from app.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> str:
    """Accepts the usual ``postgresql://`` forms and returns the asyncpg dialect's URL. A
    libpq multi-host URL (``postgresql://u@h1:5432,h2:5432/db?target_session_attrs=read-write``)
    becomes the dialect's form (``postgresql+asyncpg://u@/db?host=h1:5432&host=h2:5432&...``):
    asyncpg tries the hosts in turn for one that takes writes."""
    parsed = make_url(_multi_host(url))
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def _multi_host(url: str) -> str:
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    if "," not in hosts:
        return url
    query = "&".join([*(f"host={host}" for host in hosts.split(",")), *filter(None, [parts.query])])
    scheme = parts.scheme if "+" in parts.scheme else "postgresql+asyncpg"
    return urlunsplit((scheme, f"{userinfo}@" if userinfo else "", parts.path, query, ""))


def pgbouncer_connect_args() -> dict[str, Any]:
    """The driver behind PgBouncer 1.18 in transaction mode, which hands each transaction any
    server connection: a statement prepared in one is unknown in the next. No statement is kept
    (asyncpg's and SQLAlchemy's caches off) and each gets a unique name, so two never collide on
    a server connection. PgBouncer passes only a few startup parameters (statement_timeout is
    not one: set it on the database, ``ALTER DATABASE ... SET statement_timeout``)."""
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
    }


def connect_arguments(settings: Settings, pgbouncer: bool) -> dict[str, Any]:
    """What the driver gets at connect: timeouts, session settings and, behind PgBouncer, no
    kept prepared statements."""
    server_settings = {"application_name": "llr", "timezone": "UTC"}
    connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout_seconds}
    if settings.db_statement_timeout_ms and not pgbouncer:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    if pgbouncer:
        connect_args |= pgbouncer_connect_args()
    return connect_args | {"server_settings": server_settings}


def create_engine(
    settings: Settings, url: str | None = None, *, pgbouncer: bool | None = None
) -> AsyncEngine:
    target = url or settings.database_url
    if not target:
        raise RuntimeError("no database URL: set DATABASE_URL or start through `llr serve`")
    behind_pgbouncer = settings.db_pgbouncer if pgbouncer is None else pgbouncer
    return create_async_engine(
        async_url(target),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        pool_timeout=settings.db_connect_timeout_seconds,
        connect_args=connect_arguments(settings, behind_pgbouncer),
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
