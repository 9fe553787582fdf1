"""A mandate's public timeline, as a list and as a resumable Server-Sent Events stream."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse
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
async def stream_timeline(
    request: Request, mandate_id: int, query: StreamQuery
) -> EventSourceResponse:
    """Server-Sent Events of new timeline entries and count changes."""
    await commands.get_visible(await actor_of(request), mandate_id)
    after = _last_id(request.headers.get("last-event-id") or query.last_event_id, "Last-Event-ID")
    bus = request.app.state.bus
    return EventSourceResponse(
        _events(bus, mandate_id, after), ping=15, headers={"X-Accel-Buffering": "no"}
    )


async def _events(bus: Any, mandate_id: int, after: int) -> AsyncIterator[dict[str, Any]]:
    """The stream, ended cleanly if the database goes away: its 200 has been sent, so
    all that is left is to ask the browser to come back, where it left off, later."""
    try:
        async for event in _follow(bus, mandate_id, after):
            yield event
    except Exception as exc:
        if not is_database_lost(exc):
            raise
        log.warning("database lost, ending timeline stream of mandate %s: %s", mandate_id, exc)
        yield {"retry": RETRY_AFTER * 1000}


async def _follow(bus: Any, mandate_id: int, after: int) -> AsyncIterator[dict[str, Any]]:
    # Subscribe before reading the backlog, so nothing committed in between is missed.
    async with bus.subscribe(topics.mandate(mandate_id)) as queue:
        last = after
        async for event in _entries_after(mandate_id, last):
            last = int(event["id"])
            yield event
        total, resident = (await counter.tallies([mandate_id]))[mandate_id]
        yield _count(total, resident)
        while True:
            message = await queue.get()
            if message["type"] == "timeline":
                async for event in _entries_after(mandate_id, last):
                    last = int(event["id"])
                    yield event
            elif message["type"] == "count":
                yield _count(message["count"], message.get("resident", 0))


def _count(total: int, resident: int) -> dict[str, Any]:
    data = CountOut(signature_count=total, resident_signature_count=resident)
    return {"event": "count", "data": data.model_dump_json()}


async def _entries_after(mandate_id: int, after: int) -> AsyncIterator[dict[str, Any]]:
    """Every entry after `after`, page by page, however long the client was away."""
    while True:
        page = await entries(mandate_id, after=after, limit=PAGE)
        for entry in page:
            after = entry["id"]
            yield {"event": "timeline", "id": str(after), "data": json.dumps(_entry_json(entry))}
        if len(page) < PAGE:
            return


def _last_id(value: str | None, field: str) -> int:
    if not value:
        return 0
    entry_id = parse_id(value, BIGINT_MAX)
    if entry_id is None:
        raise InvalidInput.on(field, Message("Expected the numeric id of a timeline entry."))
    return entry_id
