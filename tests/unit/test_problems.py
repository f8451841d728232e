"""Which database errors are an outage (503 serviceUnavailable) and which a fault (500)."""

import pytest
from sqlalchemy.exc import DBAPIError

from app.problems import database_unreachable


class DriverError(Exception):
    """Like the asyncpg dialect's adapted error: it carries the SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("orig", "invalidated", "outage"),
    [
        (DriverError("the database system is shutting down", "57P03"), False, True),
        (DriverError("terminating connection due to administrator command", "57P01"), False, True),
        (DriverError("connection was closed in the middle of operation", "08003"), False, True),
        (DriverError("connection failure", "08006"), False, True),
        (ConnectionRefusedError(111, "Connection refused"), False, True),
        (TimeoutError(), False, True),
        (DriverError("anything", None), True, True),
        (DriverError("division by zero", "22012"), False, False),
        (DriverError("canceling statement due to statement timeout", "57014"), False, False),
        (DriverError("no sqlstate", None), False, False),
    ],
)
def test_database_unreachable(orig: Exception, invalidated: bool, outage: bool) -> None:
    error = DBAPIError("SELECT 1", None, orig, connection_invalidated=invalidated)
    assert database_unreachable(error) is outage


def test_other_errors_are_not_an_outage() -> None:
    assert database_unreachable(ValueError("no")) is False
