"""The database a batch command works on: DATABASE_URL, or the embedded PostgreSQL of
``llr serve`` (started for the command, stopped after; not while the service runs on it)."""

from collections.abc import Iterator
from contextlib import contextmanager

from app.settings import Settings


@contextmanager
def command_database(settings: Settings) -> Iterator[str]:
    from app.embedded_pg import EmbeddedPostgres, ensure_database
    from app.migrate import upgrade

    url, embedded = settings.database_url, None
    if not url:
        embedded = EmbeddedPostgres(settings.data_dir).start()
        ensure_database(embedded.url(), "llr")
        url = embedded.url("llr")
    try:
        upgrade(url)
        yield url
    finally:
        if embedded is not None:
            embedded.stop()
