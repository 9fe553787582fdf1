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
from participation.outbox import events
from participation.sql import is_postgres, run

log = logging.getLogger(__name__)

BATCH = 500


class Dispatcher:
    def __init__(self, bus: Any, interval: float = 0.5) -> None:
        self.bus = bus
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        events.on_commit_nudge(self._wake.set)
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        events.forget_nudge(self._wake.set)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()
            try:
                while await self.dispatch_once() == BATCH:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox dispatch failed; retrying")
                await asyncio.sleep(1)

    async def dispatch_once(self) -> int:
        """Publish one batch of pending events; returns how many were handled."""
        async with in_transaction() as conn:
            lock = " FOR UPDATE SKIP LOCKED" if is_postgres(conn) else ""
            rows = await run(
                conn,
                "SELECT id, name, mandate_id, payload FROM outbox_event "
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
            mandate_id = row["mandate_id"]
            if mandate_id is None:
                continue
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
