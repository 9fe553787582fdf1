"""Named consumers of the outbox, each with its own progress through it.

A consumer has handlers per event-name pattern (fnmatch: "mandates:*",
"votes:ballot:cast"). A `Runner` delivers the committed events to one consumer, at
least once: a handler may see an event again after a crash or a failure, so handlers
are idempotent (a live signal is a hint to re-read; a notification has a unique key).

Progress. An event's id is taken when its row is inserted, but on PostgreSQL
transactions commit in any order: an event with a lower id can become visible after
a higher one was delivered. So a consumer keeps

- a watermark (outbox_consumer): every event with an id up to it is delivered;
- a delivery row (outbox_delivery) per event above the watermark that it claimed:
  delivered when, or not to be tried again before `retry_at`.

A batch claims, in one statement, the matching events above the watermark that have
no delivery row yet, wherever they are in id order: an event committed late with a
lower id is claimed by the next batch like any other. The batch's rows are then
leased with FOR UPDATE SKIP LOCKED (parallel runners take different rows), handed to
the handlers outside any transaction, and marked delivered; a failed one is retried
later, with backoff, without holding up the others or any other consumer.

The watermark moves over delivered (or not matching) events in id order, and over a
gap in the ids, which is an event rolled back or not committed yet, only once the
event after the gap is older than GRACE: commands are short, and one still open that
long is not expected. The delivery rows it passes are deleted, so the table holds
only the recent window, and retention (`prune_events`) can tell from the watermarks
which events every consumer is done with.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.connection import connections
from tortoise.transactions import in_transaction

from participation import areas, clock
from participation.outage import is_database_lost
from participation.outbox import events
from participation.outbox.envelope import Event
from participation.sql import is_postgres, run

log = logging.getLogger(__name__)

BATCH = 500
# How long a runner may hold a leased event before another one takes it over. A
# runner renews its lease while its handlers work (a fan-out to 100,000 people takes
# longer than this), so the lease only runs out when the runner is gone: a killed
# worker's events are taken over after at most this long.
LEASE = timedelta(seconds=15)
GRACE = timedelta(minutes=5)
BACKOFF_MAX = 300
WALK = 1000

Handler = Callable[[Sequence[Event], Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A named reader of the outbox: `handlers` maps event-name patterns to handlers.

    A handler gets the batch's events matching its patterns, oldest first, and the
    runner's context (the live bus, the job queue: what the process provides). An
    event matching several patterns of one handler reaches it once.
    """

    name: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)

    def matches(self, event_name: str) -> bool:
        return any(fnmatch.fnmatchcase(event_name, p) for p in self.handlers)

    def handlers_of(self, event_name: str) -> list[Handler]:
        found: list[Handler] = []
        for pattern, handler in self.handlers.items():
            if fnmatch.fnmatchcase(event_name, pattern) and handler not in found:
                found.append(handler)
        return found


_registry: dict[str, Consumer] = {}


def register(consumer: Consumer) -> Consumer:
    """Make `consumer` known to the runners and to retention; its name is its identity."""
    known = _registry.get(consumer.name)
    if known is not None and known is not consumer:
        raise ValueError(f"another consumer is already registered as {consumer.name!r}")
    _registry[consumer.name] = consumer
    return consumer


def registered() -> list[Consumer]:
    """The areas' declared consumers, then those registered by hand (as tests do)."""
    declared = {consumer.name: consumer for consumer in areas.consumers()}
    return [*declared.values(), *(c for n, c in _registry.items() if n not in declared)]


def _like(pattern: str) -> str:
    """The fnmatch pattern as SQL LIKE (escape character backslash); no [sets] needed."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _claim_sql(patterns: int) -> str:
    matching = " OR ".join(f"e.name LIKE ${n + 2} ESCAPE '\\'" for n in range(patterns))
    return (
        "INSERT INTO outbox_delivery (consumer, event_id, attempts) "
        "SELECT CAST($1 AS VARCHAR(64)), e.id, 0 FROM outbox_event e "
        "WHERE e.id > (SELECT watermark FROM outbox_consumer WHERE name = $1) "
        f"AND ({matching or 'FALSE'}) "
        "AND NOT EXISTS (SELECT 1 FROM outbox_delivery d "
        "WHERE d.consumer = $1 AND d.event_id = e.id) "
        f"ORDER BY e.id LIMIT {BATCH} "
        "ON CONFLICT (consumer, event_id) DO NOTHING"
    )


def _lease_sql(postgres: bool) -> str:
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    return (
        "UPDATE outbox_delivery SET retry_at = $2, attempts = attempts + 1 WHERE id IN ("
        "SELECT id FROM outbox_delivery WHERE consumer = $1 AND delivered_at IS NULL "
        "AND (retry_at IS NULL OR retry_at <= $3) "
        f"ORDER BY event_id LIMIT {BATCH}{lock}) "
        "RETURNING id, event_id, attempts"
    )


_EVENTS = (
    "SELECT id, name, subject_type, subject_id, municipality_id, actor_id, payload, created_at "
    "FROM outbox_event WHERE id IN ({ids}) ORDER BY id"
)

_WINDOW = (
    "SELECT e.id, e.name, e.created_at, d.delivered_at FROM outbox_event e "
    "LEFT JOIN outbox_delivery d ON d.consumer = $1 AND d.event_id = e.id "
    f"WHERE e.id > $2 ORDER BY e.id LIMIT {WALK}"
)


def _ids(values: Sequence[int]) -> str:
    return ", ".join(str(int(v)) for v in values)


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _event(row: dict[str, Any]) -> Event:
    payload = row["payload"]
    return Event(
        name=row["name"],
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        municipality_id=row["municipality_id"],
        actor_id=row["actor_id"],
        payload=json.loads(payload) if isinstance(payload, str) else payload,
        id=row["id"],
        created_at=_moment(row["created_at"]),
    )


class Runner:
    """Delivers the outbox to one consumer: woken by commits, polling otherwise."""

    def __init__(
        self, consumer: Consumer, context: Mapping[str, Any] | None = None, interval: float = 0.5
    ) -> None:
        self.consumer = consumer
        self.context: Mapping[str, Any] = context or {}
        self.interval = interval
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._known = False

    def start(self) -> None:
        events.on_commit(self._wake.set)
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """End the loop after the batch in hand; cancelling this cancels the loop.

        A flag, not only cancellation: a cancellation can be lost (asyncio.wait_for
        before Python 3.12 drops one that arrives just as its wait completes, which a
        commit's wake-up at shutdown makes likely), and a lost one left the loop polling
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
                while not self._stopping and await self.run_once() == BATCH:
                    pass
            except Exception as exc:
                if is_database_lost(exc):
                    log.warning("consumer %s: database lost (%s); retrying", self.name, exc)
                else:
                    log.exception("consumer %s failed; retrying", self.name)
                if not self._stopping:
                    await asyncio.sleep(1)

    @property
    def name(self) -> str:
        return self.consumer.name

    async def run_once(self) -> int:
        """Deliver one batch of pending events; returns how many were handed over."""
        connection = connections.get("default")
        if not self._known:
            await run(
                connection,
                "INSERT INTO outbox_consumer (name, watermark) VALUES ($1, 0) "
                "ON CONFLICT (name) DO NOTHING",
                self.name,
            )
            self._known = True
        patterns = [_like(p) for p in self.consumer.handlers]
        await run(connection, _claim_sql(len(patterns)), self.name, *patterns)
        now = clock.now()
        leased = await run(
            connection, _lease_sql(is_postgres(connection)), self.name, now + LEASE, now
        )
        if leased:
            await self._deliver(leased)
        await self._advance()
        return len(leased)

    async def _renew(self, ids: list[int]) -> None:
        """Keep extending the lease of the batch in hand, until cancelled."""
        connection = connections.get("default")
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            try:
                await run(
                    connection,
                    "UPDATE outbox_delivery SET retry_at = $1 "
                    f"WHERE id IN ({_ids(ids)}) AND delivered_at IS NULL",
                    clock.now() + LEASE,
                )
            except Exception as exc:
                log.warning("consumer %s: cannot renew its lease (%r)", self.name, exc)

    async def _deliver(self, leased: list[dict[str, Any]]) -> None:
        connection = connections.get("default")
        rows = await run(connection, _EVENTS.format(ids=_ids([r["event_id"] for r in leased])))
        batch = [_event(row) for row in rows]
        failed: dict[int, BaseException] = {}
        groups: dict[Handler, list[Event]] = {}
        for event in batch:
            for handler in self.consumer.handlers_of(event.name):
                groups.setdefault(handler, []).append(event)
        renewing = asyncio.create_task(self._renew([r["id"] for r in leased]))
        try:
            for handler, group in groups.items():
                failed.update(await self._handle(handler, group))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        now = clock.now()
        done = [r["id"] for r in leased if r["event_id"] not in failed]
        if done:
            await run(
                connection,
                f"UPDATE outbox_delivery SET delivered_at = $1, error = NULL "
                f"WHERE id IN ({_ids(done)})",
                now,
            )
        for row in leased:
            error = failed.get(row["event_id"])
            if error is None:
                continue
            delay = timedelta(seconds=min(2 ** row["attempts"], BACKOFF_MAX))
            await run(
                connection,
                "UPDATE outbox_delivery SET retry_at = $1, error = $2 WHERE id = $3",
                now + delay,
                repr(error)[:2000],
                row["id"],
            )

    async def _handle(self, handler: Handler, group: list[Event]) -> dict[int, BaseException]:
        """Run `handler` on `group`; if it fails, on each event alone, to find the bad ones.

        Returns the ids of the events it failed on, with the error.
        """
        try:
            await handler(group, self.context)
            return {}
        except Exception as exc:
            if len(group) == 1:
                log.exception("consumer %s failed on event %s", self.name, group[0].id)
                return {group[0].id or 0: exc}
        failed: dict[int, BaseException] = {}
        for event in group:
            failed.update(await self._handle(handler, [event]))
        return failed

    async def _advance(self) -> None:
        """Move the watermark over what is done, and drop the delivery rows it passes."""
        connection = connections.get("default")
        found = await run(
            connection, "SELECT watermark FROM outbox_consumer WHERE name = $1", self.name
        )
        watermark = int(found[0]["watermark"])
        horizon = clock.now() - GRACE
        reached = watermark
        for row in await run(connection, _WINDOW, self.name, watermark):
            done = row["delivered_at"] is not None or not self.consumer.matches(row["name"])
            gap = row["id"] != reached + 1
            if not done or (gap and _moment(row["created_at"]) > horizon):
                break
            reached = row["id"]
        if reached == watermark:
            return
        async with in_transaction() as conn:
            await run(
                conn,
                "UPDATE outbox_consumer SET watermark = $2 WHERE name = $1 AND watermark < $2",
                self.name,
                reached,
            )
            await run(
                conn,
                "DELETE FROM outbox_delivery WHERE consumer = $1 AND event_id <= $2",
                self.name,
                reached,
            )


def runners(context: Mapping[str, Any], interval: float = 0.5) -> list[Runner]:
    """One runner per registered consumer, sharing the process's `context`."""
    return [Runner(consumer, context, interval) for consumer in registered()]
