"""The outbox dispatcher: turns committed domain events into live-bus signals.

Delivery is at least once: events are marked dispatched only after publishing, and
several dispatchers (web and worker processes) share the table through SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tortoise.transactions import in_transaction

from participation import clock
from participation.mandates import counter
from participation.outage import is_database_lost
from participation.outbox import events
from participation.sql import is_postgres, run

log = logging.getLogger(__name__)

BATCH = 500


class Dispatcher:
    def __init__(self, bus: Any, interval: float = 0.5) -> None:
        self.bus = bus
        self.interval = interval
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        events.on_commit(self._wake.set)
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """End the loop after the batch in hand; cancelling this cancels the loop.

        A flag, not only cancellation: a cancellation can be lost (asyncio.wait_for
        before Python 3.12 drops one that arrives just as its wait completes, which a
        commit's nudge at shutdown makes likely), and a lost one left the loop polling
        for ever while shutdown waited for it.
        """
        events.forget(self._wake.set)
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _loop(self) -> None:
        while not self._stopping:
            # asyncio.timeout, unlike wait_for on Python 3.11, never swallows a cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                while not self._stopping and await self.dispatch_once() == BATCH:
                    pass
            except Exception as exc:
                if is_database_lost(exc):
                    log.warning("outbox dispatch: database lost (%s); retrying", exc)
                else:
                    log.exception("outbox dispatch failed; retrying")
                if not self._stopping:
                    await asyncio.sleep(1)

    async def dispatch_once(self) -> int:
        """Publish one batch of pending events; returns how many were handled."""
        async with in_transaction() as conn:
            lock = " FOR UPDATE SKIP LOCKED" if is_postgres(conn) else ""
            rows = await run(
                conn,
                "SELECT id, name, subject_type, subject_id, payload FROM outbox_event "
                f"WHERE dispatched_at IS NULL ORDER BY id LIMIT {BATCH}{lock}",
            )
            if not rows:
                return 0
            await self._publish(rows)
            ids = [row["id"] for row in rows]
            await run(
                conn,
                "UPDATE outbox_event SET dispatched_at = $1 WHERE id IN ("
                + ", ".join(str(int(i)) for i in ids)
                + ")",
                clock.now(),
            )
        return len(rows)

    async def _publish(self, rows: list[dict[str, Any]]) -> None:
        """One signal per mandate and kind, however many events the batch holds."""
        counts: set[int] = set()
        timelines: set[int] = set()
        for row in rows:
            if row["subject_type"] != "mandate":
                continue
            mandate_id = row["subject_id"]
            if row["name"].startswith("mandates:signature:"):
                counts.add(mandate_id)
            else:
                timelines.add(mandate_id)
                counts.add(mandate_id)
        for mandate_id in timelines:
            await self.bus.publish({"mandate_id": mandate_id, "type": "timeline"})
        for mandate_id, (total, resident) in (await counter.tallies(sorted(counts))).items():
            await self.bus.publish(
                {"mandate_id": mandate_id, "type": "count", "count": total, "resident": resident}
            )
