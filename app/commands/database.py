"""The database a batch command works on: DATABASE_URL, or the embedded PostgreSQL of
``llr serve``: the one running when the service runs (on its data directory), otherwise
started for the command and stopped after."""

from collections.abc import Iterator
from contextlib import contextmanager

from app.settings import Settings


@contextmanager
def command_database(settings: Settings) -> Iterator[str]:
    from app.embedded_pg import EmbeddedPostgres, ensure_database
    from app.migrate import upgrade

    url, embedded = settings.database_url, None
    running = None if url else EmbeddedPostgres.running_port(settings.data_dir)
    if running is not None:
        url = f"postgresql://postgres@127.0.0.1:{running}/llr"
    elif not url:
        embedded = EmbeddedPostgres(settings.data_dir).start()
        ensure_database(embedded.url(), "llr")
        url = embedded.url("llr")
    try:
        upgrade(url)
        yield url
    finally:
        if embedded is not None:
            embedded.stop()
