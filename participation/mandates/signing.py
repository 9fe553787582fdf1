"""Writing co-signatures: one statement for many signers on PostgreSQL.

A viral mandate gets hundreds of co-signatures a second. On PostgreSQL, those that
arrive while earlier ones are being written share one statement (group commit in
the app): one insert of all rows, one counter-shard update per mandate, one outbox
row each. After it commits, one more query reads the mandates' state and summed
counts, so each signer learns the count that includes its own signature. SQLite
(one process, one writer) writes each signature in its own transaction.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from itertools import islice
from typing import Any

from tortoise.connection import connections

from participation import clock, unit
from participation.mandates import counter, rules
from participation.mandates.models import Mandate, Status
from participation.outage import is_database_lost
from participation.outbox import events
from participation.sql import is_postgres, run

_SIGN_MANY = f"""
WITH wanted AS (
    SELECT * FROM unnest($1::int[], $2::int[], $6::bool[]) AS w(mandate_id, user_id, resident)
), open AS (
    SELECT id, municipality_id FROM mandate
    WHERE id = ANY($1::int[]) AND status = ANY($5::text[])
      AND (closes_at IS NULL OR closes_at > $3)
), added AS (
    INSERT INTO signature (mandate_id, user_id, resident, created_at)
    SELECT w.mandate_id, w.user_id, w.resident, $3
    FROM wanted w JOIN open o ON o.id = w.mandate_id
    ON CONFLICT (mandate_id, user_id) DO NOTHING
    RETURNING mandate_id, user_id, resident
), per_mandate AS (
    SELECT mandate_id, count(*) AS n, count(*) FILTER (WHERE resident) AS r
    FROM added GROUP BY mandate_id
), counted AS (
    UPDATE signature_count c SET count = c.count + p.n, resident = c.resident + p.r
    FROM per_mandate p
    WHERE c.mandate_id = p.mandate_id AND c.shard = $4
), recorded AS (
    {events.INSERT}
    SELECT $7, 'mandate', a.mandate_id, o.municipality_id, a.user_id,
           jsonb_build_object('mandate_id', a.mandate_id), $3
    FROM added a JOIN open o ON o.id = a.mandate_id
)
SELECT mandate_id, user_id FROM added
"""

_STATE = """
SELECT m.id, m.status, m.quorum, m.milestone, m.initiator_id, m.municipality_id, m.closes_at,
       (SELECT COALESCE(SUM(c.count), 0) FROM signature_count c WHERE c.mandate_id = m.id)
           AS total
FROM mandate m WHERE m.id = ANY($1::int[])
"""

_OPEN = [status.value for status in rules.SIGNABLE]
# Who signed is the event's actor, erased with her account; the public count stays.
CREATED = "mandates:signature:created"


@dataclass(frozen=True)
class Attempt:
    """What one co-signature did: `mandate` is None when it does not exist."""

    created: bool
    mandate: Mandate | None
    total: int


def _mandate(row: dict[str, Any]) -> Mandate:
    return Mandate(
        id=row["id"],
        status=Status(row["status"]),
        quorum=row["quorum"],
        milestone=row["milestone"],
        closes_at=row["closes_at"],
        initiator_id=row["initiator_id"],
        municipality_id=row["municipality_id"],
    )


Batch = dict[tuple[int, int], tuple[list[asyncio.Future[Attempt]], bool]]


class Batcher:
    """Signatures arriving while statements are in flight wait to share the next one."""

    MAX_BATCH = 256
    MAX_IN_FLIGHT = 4

    def __init__(self) -> None:
        self._waiting: dict[tuple[int, int], list[asyncio.Future[Attempt]]] = {}
        self._resident: dict[tuple[int, int], bool] = {}
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def sign(self, mandate_id: int, user_id: int, resident: bool) -> Attempt:
        future: asyncio.Future[Attempt] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault((mandate_id, user_id), []).append(future)
        self._resident[(mandate_id, user_id)] = resident
        self._start()
        return await future

    def _start(self) -> None:
        while self._waiting and self._in_flight < self.MAX_IN_FLIGHT:
            batch = {
                key: (self._waiting.pop(key), self._resident.pop(key))
                for key in list(islice(self._waiting, self.MAX_BATCH))
            }
            self._in_flight += 1
            task = asyncio.create_task(self._flush(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush(self, batch: Batch) -> None:
        try:
            await _settle(batch)
        finally:
            self._in_flight -= 1
            self._start()


async def _settle(batch: Batch) -> None:
    """Write the batch and answer every waiting signer, with a result or the error."""
    try:
        results = await _write({key: resident for key, (_, resident) in batch.items()})
    except Exception as exc:
        if len(batch) > 1 and not is_database_lost(exc):
            # One bad row must not fail its neighbours: retry each on its own. Not when the
            # database is gone: every row would wait out its own timeout in turn.
            for key, waiting in batch.items():
                await _settle({key: waiting})
            return
        for futures, _ in batch.values():
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
        return
    for key, (futures, _) in batch.items():
        first = results[key]
        for n, future in enumerate(futures):
            if not future.done():
                # Someone who asked twice at once has signed once.
                future.set_result(first if n == 0 else Attempt(False, first.mandate, first.total))


async def _write(wanted: dict[tuple[int, int], bool]) -> dict[tuple[int, int], Attempt]:
    keys = list(wanted)
    mandate_ids = [mandate_id for mandate_id, _ in keys]
    async with unit.single_statement() as u:
        added = await run(
            u.conn,
            _SIGN_MANY,
            mandate_ids,
            [user_id for _, user_id in keys],
            clock.now(),
            counter.random_shard(),
            _OPEN,
            list(wanted.values()),
            CREATED,
        )
        u.wrote(len(added))
    created = {(row["mandate_id"], row["user_id"]) for row in added}
    connection = connections.get("default")
    # Read after the commit: the sum includes every signature committed before this one.
    state = {row["id"]: row for row in await run(connection, _STATE, sorted(set(mandate_ids)))}
    results = {}
    for key in keys:
        row = state.get(key[0])
        mandate = _mandate(row) if row else None
        results[key] = Attempt(key in created, mandate, int(row["total"]) if row else 0)
    return results


_batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Batcher] = (
    weakref.WeakKeyDictionary()
)


async def sign(mandate_id: int, user_id: int, resident: bool = False) -> Attempt:
    """Add one co-signature if the mandate is open for it; tell what happened.

    `resident` says the signer is verified as living in the mandate's municipality.
    """
    if is_postgres(connections.get("default")):
        loop = asyncio.get_running_loop()
        if loop not in _batchers:
            _batchers[loop] = Batcher()
        return await _batchers[loop].sign(mandate_id, user_id, resident)
    mandate = await Mandate.get_or_none(id=mandate_id)
    if mandate is None:
        return Attempt(False, None, 0)
    created = False
    if rules.open_for_signatures(Status(mandate.status), mandate.closes_at, clock.now()):
        async with unit.atomic() as u:
            created = await add_signature(u, mandate_id, user_id, resident)
    return Attempt(created, mandate, await counter.total(mandate_id))


async def add_signature(
    u: unit.Unit, mandate_id: int, user_id: int, resident: bool = False
) -> bool:
    """Insert one signature with its counter +1 and event, inside the caller's unit of work."""
    inserted = await run(
        u.conn,
        "INSERT INTO signature (mandate_id, user_id, resident, created_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (mandate_id, user_id) DO NOTHING RETURNING id",
        mandate_id,
        user_id,
        resident,
        clock.now(),
    )
    if not inserted:
        return False
    await counter.add(u.conn, mandate_id, 1, int(resident))
    place = await run(u.conn, "SELECT municipality_id FROM mandate WHERE id = $1", mandate_id)
    await u.record(
        CREATED,
        "mandate",
        mandate_id,
        municipality_id=place[0]["municipality_id"],
        actor_id=user_id,
        mandate_id=mandate_id,
    )
    return True
