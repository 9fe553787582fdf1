"""Which errors mean "the database is gone, try again": a 503, never a 500 or a 4xx."""

from __future__ import annotations

import asyncpg
import pytest
from tortoise.exceptions import (
    DBConnectionError,
    IntegrityError,
    OperationalError,
    TransactionManagementError,
)

from participation.outage import is_database_lost


def wrapped(wrapper: type[Exception], cause: Exception) -> Exception:
    """As Tortoise raises it: its own exception, the driver's as the cause."""
    try:
        raise wrapper(cause) from cause
    except Exception as exc:
        return exc


LOST = [
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.InterfaceError("connection is closed"),
    asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    ConnectionRefusedError(111, "Connect call failed"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError(),
    DBConnectionError("Can't establish connection to database auftrag"),
    wrapped(OperationalError, asyncpg.AdminShutdownError("terminating connection")),
    wrapped(TransactionManagementError, asyncpg.ConnectionDoesNotExistError("closed")),
    wrapped(OperationalError, ConnectionResetError(104, "reset")),
]

NOT_LOST = [
    asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
    asyncpg.DataError("invalid input for query argument $1"),
    asyncpg.UndefinedTableError('relation "x" does not exist'),
    asyncpg.InFailedSQLTransactionError("current transaction is aborted"),
    asyncpg.QueryCanceledError("canceling statement due to user request"),
    wrapped(OperationalError, asyncpg.DataError("invalid input")),
    wrapped(IntegrityError, asyncpg.UniqueViolationError("duplicate key")),
    OperationalError("no such table: mandate"),
    ValueError("not a number"),
    KeyError("id"),
]


@pytest.mark.parametrize("exc", LOST, ids=lambda e: type(e).__name__)
def test_losing_the_database(exc: Exception) -> None:
    assert is_database_lost(exc)


@pytest.mark.parametrize("exc", NOT_LOST, ids=lambda e: type(e).__name__)
def test_errors_of_the_statement_or_its_input(exc: Exception) -> None:
    assert not is_database_lost(exc)
