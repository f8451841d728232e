"""The server the benchmark runs on: a throw-away embedded PostgreSQL with durable settings (fsync
and synchronous commit on, as deployed), or the one DATABASE_URL names, in fresh databases that
are dropped afterwards."""

import asyncio
import contextlib
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from app.embedded_pg import EmbeddedPostgres


class Server:
    def __init__(self, admin_url: str, postgres_pid: int | None = None) -> None:
        self.admin_url, self.postgres_pid = admin_url, postgres_pid
        self.embedded = postgres_pid is not None
        self.created: list[str] = []

    def database(self, stem: str) -> str:
        """A new empty database on the server, its URL."""
        name = f"{stem}_{uuid.uuid4().hex[:8]}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def _execute(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def settings(self) -> dict[str, str]:
        async def read() -> dict[str, str]:
            conn = await asyncpg.connect(self.admin_url)
            try:
                rows = await conn.fetch(
                    "SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])",
                    [
                        "fsync",
                        "synchronous_commit",
                        "shared_buffers",
                        "max_connections",
                        "server_version",
                    ],
                )
                return {row["name"]: row["setting"] for row in rows}
            finally:
                await conn.close()

        return asyncio.run(read())


@contextmanager
def server() -> Iterator[Server]:
    given = os.environ.get("DATABASE_URL")
    if given:
        found = Server(make_url(given).set(drivername="postgresql").render_as_string(False))
        try:
            yield found
        finally:
            found.drop_all()
        return
    with (
        tempfile.TemporaryDirectory(prefix="llr-bench-") as tmp,
        EmbeddedPostgres(Path(tmp) / "data", durable=True) as embedded,
    ):
        assert embedded.process is not None
        yield Server(embedded.url(), embedded.process.pid)


@contextmanager
def analysing(url: str, every: float = 5.0) -> Iterator[None]:
    """ANALYZE of the ledger tables every few seconds while a bulk load runs, as autovacuum
    would but promptly. Without statistics the planner keeps plans made for empty tables and
    ``llr grant`` slows down as the ledger grows (measured: 541 citizens/s at 50,000 citizens
    instead of 3,809)."""
    stop = threading.Event()

    async def analyse() -> None:
        conn = await asyncpg.connect(url)
        try:
            while not stop.wait(every):
                with contextlib.suppress(asyncpg.UndefinedTableError):  # not migrated yet
                    await conn.execute(
                        "ANALYZE ledger_accounts, ledger_legs, ledger_transactions, decisions"
                    )
        finally:
            await conn.close()

    worker = threading.Thread(target=lambda: asyncio.run(analyse()), daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()
