"""A mandate's public timeline, as a list and as a resumable Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.errors import InvalidInput
from participation.ids import BIGINT_MAX, parse_id
from participation.live import topics
from participation.mandates import commands, counter
from participation.messages import Message
from participation.outage import is_database_lost
from participation.timeline.queries import entries
from server.api.endpoint import Registry
from server.api.event_stream import PING, EventStream, encode
from server.api.schemas import (
    CountOut,
    StreamQuery,
    TimelineEntryOut,
    TimelineList,
    TimelineQuery,
)
from server.auth import actor_of
from server.problems import RETRY_AFTER

log = logging.getLogger(__name__)
api = Registry(order=80)
PAGE = 100
ENCODED = "_sse"


def _entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    return TimelineEntryOut.model_validate(entry).model_dump(mode="json")


@api(
    "/mandates/{mandate_id:id}/timeline",
    query=TimelineQuery,
    response=TimelineList,
    tag="timeline",
    errors=(404,),
)
async def get_timeline(request: Request, mandate_id: int, query: TimelineQuery) -> JSONResponse:
    """Timeline entries, oldest first; page on with `cursor`."""
    await commands.get_visible(await actor_of(request), mandate_id)
    after = _last_id(query.cursor, "cursor")
    rows = await entries(mandate_id, after=after, limit=query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cursor = str(rows[-1]["id"]) if more and rows else None
    return JSONResponse({"items": [_entry_json(r) for r in rows], "next": cursor})


@api(
    "/mandates/{mandate_id:id}/timeline/stream",
    query=StreamQuery,
    tag="timeline",
    errors=(404, 422),
    media_type="text/event-stream",
    events={"timeline": TimelineEntryOut, "count": CountOut},
    summary="Live timeline: `timeline` events with ids (resume with Last-Event-ID) "
    "and `count` events with the current signature count and its resident-verified part",
)
async def stream_timeline(request: Request, mandate_id: int, query: StreamQuery) -> EventStream:
    """Server-Sent Events of new timeline entries and count changes."""
    await commands.get_visible(await actor_of(request), mandate_id)
    after = _last_id(request.headers.get("last-event-id") or query.last_event_id, "Last-Event-ID")
    return EventStream(_events(request.app.state.bus, mandate_id, after))


async def _events(bus: Any, mandate_id: int, after: int) -> AsyncIterator[bytes]:
    """The stream, ended cleanly if the database goes away: its 200 has been sent, so
    all that is left is to ask the browser to come back, where it left off, later."""
    try:
        async for event in _follow(bus, mandate_id, after):
            yield event
    except Exception as exc:
        if not is_database_lost(exc):
            raise
        log.warning("database lost, ending timeline stream of mandate %s: %s", mandate_id, exc)
        yield encode(retry=RETRY_AFTER * 1000)


async def _follow(bus: Any, mandate_id: int, after: int) -> AsyncIterator[bytes]:
    # Subscribe before reading the backlog, so nothing committed in between is missed.
    async with bus.subscribe(topics.mandate(mandate_id)) as queue:
        subscribed = next(_ticks)
        last = after
        # Ids of what this stream sent: an entry committed late with a lower id (ids are
        # not handed out in commit order on PostgreSQL) is sent still, and none twice.
        sent: set[int] = set()
        async for entry_id, event in _entries_after(mandate_id, last):
            last = max(last, entry_id)
            sent.add(entry_id)
            yield event
        total, resident = await _tally(mandate_id, subscribed)
        yield _count(total, resident)
        while True:
            message = await queue.get()
            if message["type"] == "keepalive":
                # A comment now and then keeps proxies from closing an idle stream.
                yield PING
            elif message["type"] == "timeline":
                if queue.overflowed or "entries" not in message:
                    # Messages were dropped for this slow reader: catch up from the table.
                    queue.overflowed = False
                    events = [e async for e in _entries_after(mandate_id, last)]
                else:
                    events = _encoded(message)
                for entry_id, event in events:
                    if entry_id > after and entry_id not in sent:
                        last = max(last, entry_id)
                        sent.add(entry_id)
                        yield event
            elif message["type"] == "count":
                yield _encoded(message)[0][1]


# Streams that open together (pages reconnecting after a deploy) share one read of the
# count: a read serves every stream that subscribed before it began, so none misses a
# change, which reaches it as a message after its subscription.
_ticks = itertools.count()
_counting: dict[int, tuple[int, asyncio.Task[tuple[int, int]]]] = {}


async def _tally(mandate_id: int, subscribed: int) -> tuple[int, int]:
    loop = asyncio.get_running_loop()
    flight = _counting.get(mandate_id)
    if flight is None or flight[0] < subscribed or flight[1].get_loop() is not loop:
        read = loop.create_task(_read_tally(mandate_id))
        flight = (next(_ticks), read)
        _counting[mandate_id] = flight

        def landed(task: asyncio.Task[tuple[int, int]], flight: Any = flight) -> None:
            if _counting.get(mandate_id) is flight:
                del _counting[mandate_id]
            if not task.cancelled():
                task.exception()  # retrieved here too, in case every reader has gone

        read.add_done_callback(landed)
    # A reader that leaves does not cancel the read the others wait for.
    return await asyncio.shield(flight[1])


async def _read_tally(mandate_id: int) -> tuple[int, int]:
    return (await counter.tallies([mandate_id]))[mandate_id]


def _encoded(message: dict[str, Any]) -> list[tuple[int, bytes]]:
    """The message's server-sent events, encoded once for every stream that sends them.

    Every subscriber of a process holds the same message object, so the first stream to
    send it leaves the encoding there for the others; nothing else about it changes.
    """
    events = message.get(ENCODED)
    if events is None:
        if message["type"] == "count":
            events = [(0, _count(message["count"], message.get("resident", 0)))]
        else:
            events = [(int(entry["id"]), _timeline(entry)) for entry in message["entries"]]
        message[ENCODED] = events
    return events


def _timeline(entry: dict[str, Any]) -> bytes:
    return encode(event="timeline", id=str(entry["id"]), data=json.dumps(_entry_json(entry)))


def _count(total: int, resident: int) -> bytes:
    data = CountOut(signature_count=total, resident_signature_count=resident)
    return encode(event="count", data=data.model_dump_json())


async def _entries_after(mandate_id: int, after: int) -> AsyncIterator[tuple[int, bytes]]:
    """Every entry after `after`, page by page, however long the client was away."""
    while True:
        page = await entries(mandate_id, after=after, limit=PAGE)
        for entry in page:
            after = entry["id"]
            yield after, _timeline(entry)
        if len(page) < PAGE:
            return


def _last_id(value: str | None, field: str) -> int:
    if not value:
        return 0
    entry_id = parse_id(value, BIGINT_MAX)
    if entry_id is None:
        raise InvalidInput.on(field, Message("Expected the numeric id of a timeline entry."))
    return entry_id
