"""The database URLs the service accepts: one host as given, several hosts (failover) in the
asyncpg dialect's form, and the driver settings behind PgBouncer."""

import pytest
from sqlalchemy.engine import make_url

from app.db import async_url, connect_arguments, pgbouncer_connect_args
from app.settings import Settings


def test_one_host_keeps_its_host_and_port() -> None:
    url = make_url(async_url("postgresql://llr:pw@db1:5433/llr"))
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql+asyncpg",
        "db1",
        5433,
        "llr",
    )
    assert url.password == "pw"


def test_several_hosts_become_the_dialects_host_list_with_their_attributes() -> None:
    url = make_url(
        async_url("postgresql://llr:p%40ss@db1:5432,db2:5433/llr?target_session_attrs=read-write")
    )
    assert url.drivername == "postgresql+asyncpg"
    assert url.host is None
    assert url.query["host"] == ("db1:5432", "db2:5433")
    assert url.query["target_session_attrs"] == "read-write"
    assert (url.username, url.password, url.database) == ("llr", "p@ss", "llr")


@pytest.mark.parametrize("pgbouncer", [True, False])
def test_behind_pgbouncer_no_statement_is_kept_and_no_timeout_is_sent(pgbouncer: bool) -> None:
    connect_args = connect_arguments(Settings(), pgbouncer)
    sent = connect_args["server_settings"]
    assert ("statement_timeout" in sent) is not pgbouncer
    assert (connect_args.get("statement_cache_size") == 0) is pgbouncer
    names = pgbouncer_connect_args()["prepared_statement_name_func"]
    assert names() != names()
