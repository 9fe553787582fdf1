"""The signed-in person's inbox: list, mark read, mark all read, and its live count."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from notifications import inbox
from participation.actors import Actor
from participation.live import topics
from participation.outage import is_database_lost
from server.api.endpoint import Registry
from server.api.event_stream import PING, EventStream, encode
from server.api.notifications_schemas import (
    InboxQuery,
    MarkedOut,
    NotificationList,
    NotificationOut,
    UnreadOut,
)
from server.auth import require_actor
from server.problems import RETRY_AFTER

log = logging.getLogger(__name__)

api = Registry(order=85)


def item_out(item: inbox.Item) -> NotificationOut:
    return NotificationOut(
        id=item.id,
        event=item.event,
        reason=item.reason,
        text=str(item.sentence),
        url=item.url,
        count=item.count,
        read=item.read,
        created_at=item.created_at,
        data=item.data,
    )


@api(
    "/me/notifications",
    query=InboxQuery,
    response=NotificationList,
    auth=True,
    tag="notifications",
    errors=(422,),
)
async def list_notifications(request: Request, query: InboxQuery) -> JSONResponse:
    """Her inbox, newest first; unread notifications of one subject come as one item."""
    actor = await require_actor(request)
    items, cursor = await inbox.list_inbox(
        actor, unread=query.unread, limit=query.limit, cursor=query.cursor
    )
    body = NotificationList(
        items=[item_out(i) for i in items], next=cursor, unread=await inbox.unread_count(actor)
    )
    return JSONResponse(body.model_dump(mode="json"))


@api(
    "/me/notifications/{notification_id:id}/read",
    "POST",
    response=MarkedOut,
    auth=True,
    tag="notifications",
    errors=(404,),
)
async def mark_read(request: Request, notification_id: int) -> JSONResponse:
    """Mark one notification read, with the unread ones of its group; again changes nothing."""
    actor = await require_actor(request)
    return await _marked(actor, await inbox.mark_read(actor, notification_id))


@api(
    "/me/notifications/read-all",
    "POST",
    response=MarkedOut,
    auth=True,
    tag="notifications",
)
async def mark_all_read(request: Request) -> JSONResponse:
    """Mark every notification read."""
    actor = await require_actor(request)
    return await _marked(actor, await inbox.mark_all_read(actor))


async def _marked(actor: Actor, marked: int) -> JSONResponse:
    out = MarkedOut(marked=marked, unread=await inbox.unread_count(actor))
    return JSONResponse(out.model_dump(mode="json"))


@api(
    "/me/notifications/stream",
    auth=True,
    tag="notifications",
    media_type="text/event-stream",
    events={"inbox": UnreadOut},
    summary="Live inbox: an `inbox` event with her unread count at once, and again "
    "whenever her inbox changes",
)
async def stream_notifications(request: Request) -> EventStream:
    """Server-Sent Events with her unread count."""
    actor = await require_actor(request)
    return EventStream(_events(request.app.state.bus, actor))


async def _events(bus: Any, actor: Actor) -> AsyncIterator[bytes]:
    try:
        async with bus.subscribe(topics.inbox(actor.user_id)) as queue:
            # Subscribed first, then counted: what arrives meanwhile comes as a message.
            yield await _unread(actor)
            while True:
                message = await queue.get()
                if message["type"] == "keepalive":
                    yield PING
                else:
                    queue.overflowed = False
                    yield await _unread(actor)
    except Exception as exc:
        if not is_database_lost(exc):
            raise
        log.warning("database lost, ending inbox stream of %s: %s", actor.user_id, exc)
        yield encode(retry=RETRY_AFTER * 1000)


async def _unread(actor: Actor) -> bytes:
    data = UnreadOut(unread=await inbox.unread_count(actor))
    return encode(event="inbox", data=json.dumps(data.model_dump(mode="json")))
