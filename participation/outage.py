"""Telling a lost database apart from every other error.

While PostgreSQL restarts, fails over or is out of reach, asyncpg raises a handful of
unrelated exception types, some wrapped by Tortoise and some not. They all mean the
same thing to a caller: nothing is wrong with the request, try again shortly. Every
place that must not crash on that (the web app, event streams, the outbox consumers,
jobs, co-signing batches) asks this one predicate.
"""

from __future__ import annotations

import asyncpg
from tortoise.exceptions import BaseORMException, DBConnectionError

# SQLSTATEs of a server going away or not taking connections yet: the whole class 08
# (connection exception), and from class 57 (operator intervention) admin_shutdown,
# crash_shutdown and cannot_connect_now, which a restart sends; too_many_connections
# passes as soon as others disconnect.
_LOST_CLASSES = ("08",)
_LOST_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def is_database_lost(exc: BaseException) -> bool:
    """True if `exc` says the database cannot be reached now, rather than that a
    statement or its input is wrong."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _lost(current):
            return True
        if not isinstance(current, BaseORMException):
            return False
        # Tortoise wraps driver errors (OperationalError, TransactionManagementError):
        # the driver's error underneath decides.
        current = current.__cause__ or current.__context__
    return False


def _lost(exc: BaseException) -> bool:
    if isinstance(exc, DBConnectionError | OSError):
        # OSError covers refused and reset connections, unknown hosts and timeouts.
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = getattr(exc, "sqlstate", None) or ""
        return state.startswith(_LOST_CLASSES) or state in _LOST_STATES
    if isinstance(exc, asyncpg.InterfaceError):
        # A closed connection or pool; its ValueError kinds (DataError, a bad
        # configuration) are about the statement or the settings instead.
        return not isinstance(exc, ValueError)
    # The protocol's own state machine, e.g. "cannot switch to state …" when the
    # server hangs up in the middle of an exchange.
    return isinstance(exc, asyncpg.InternalClientError)
