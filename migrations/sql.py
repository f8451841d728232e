"""Runs a script of several SQL statements (functions with ``$$`` bodies included) in one go.

asyncpg prepares every statement it is given, and a prepared statement holds one command; its
simple-query ``execute`` without arguments takes a whole script, so the script goes straight to
the driver connection.
"""

from alembic import op


def run_script(sql: str) -> None:
    dbapi_connection = op.get_bind().connection.dbapi_connection
    assert dbapi_connection is not None
    dbapi_connection.run_async(lambda driver: driver.execute(sql))  # type: ignore[attr-defined]
