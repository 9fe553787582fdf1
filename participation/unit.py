"""A command's unit of work: one transaction, the events it records, what runs after it.

Events go to the outbox in the same transaction as the change. The after-commit hooks
(waking the outbox's consumers, enqueueing a job, sending a mail) run only once the
commit succeeded, and all of them run: a command neither announces what was rolled
back nor forgets to announce what was kept.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.transactions import in_transaction

from participation.outbox import catalogue, events
from participation.outbox.envelope import Event

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[Any] | None]


class Unit:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self._hooks: list[Hook] = []
        self._recorded = 0

    async def record(
        self,
        name: str,
        subject_type: str,
        subject_id: int,
        *,
        municipality_id: int | None,
        actor_id: int | None = None,
        **payload: Any,
    ) -> Event:
        """Append event `name` about the subject to the outbox, in this transaction.

        Raises ValueError for a name or payload the catalogue does not declare.
        """
        catalogue.check(name, payload)
        event = Event(name, subject_type, subject_id, municipality_id, actor_id, payload)
        await events.write(self.conn, event)
        self._recorded += 1
        return event

    def wrote(self, count: int) -> None:
        """Count events a statement of the caller's own inserted (see outbox.events.INSERT)."""
        self._recorded += count

    def after_commit(self, hook: Hook) -> None:
        self._hooks.append(hook)

    def _join(self, outer: Unit) -> None:
        """Hand what an inner unit collected to the unit that commits it."""
        outer._hooks.extend(self._hooks)
        outer._recorded += self._recorded

    async def _committed(self) -> None:
        if self._recorded:
            events.committed()
        for hook in self._hooks:
            # The change is kept whatever a hook does: its failure is logged, not raised.
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("after-commit hook %r failed", hook)


_current: ContextVar[Unit | None] = ContextVar("unit", default=None)


@contextlib.asynccontextmanager
async def atomic() -> AsyncIterator[Unit]:
    """One transaction; events and hooks take effect only if it commits.

    Inside another unit (a command calling another) it is a savepoint of the outer
    transaction, and its hooks wait for the outer commit: only the outermost commit
    makes anything final.
    """
    outer = _current.get()
    async with in_transaction() as conn:
        unit = Unit(conn)
        token = _current.set(unit)
        try:
            yield unit
        finally:
            _current.reset(token)
    if outer is not None:
        unit._join(outer)
    else:
        await unit._committed()


@contextlib.asynccontextmanager
async def single_statement() -> AsyncIterator[Unit]:
    """A write that is one statement, committed by itself: no BEGIN and COMMIT round trips.

    For the batched statements on the hot path, whose events are rows of their own
    common table expressions.
    """
    unit = Unit(connections.get("default"))
    yield unit
    await unit._committed()
