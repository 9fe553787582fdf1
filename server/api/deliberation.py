"""Threads and their comments: read, post, edit, delete, endorse, follow live."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.deliberation import commands, queries
from participation.deliberation.models import Comment
from participation.deliberation.subjects import visible_thread
from participation.errors import NotFound
from participation.live import topics
from participation.messages import Message
from participation.outage import is_database_lost
from server import limits
from server.api.deliberation_schemas import (
    BalancedOut,
    CommentIn,
    CommentOut,
    CommentPage,
    CommentPatch,
    CommentsOut,
    CommentsQuery,
    EndorsementOut,
    HistoryOut,
    ThreadOut,
    ThreadReadyOut,
    ThreadSignalOut,
)
from server.api.endpoint import Registry
from server.api.event_stream import PING, EventStream, encode
from server.auth import actor_of, require_actor
from server.problems import RETRY_AFTER

log = logging.getLogger(__name__)
api = Registry(order=78)


async def _comment_json(request: Request, comment: Comment, status: int = 200) -> JSONResponse:
    view = (await queries.views(await actor_of(request), [comment]))[0]
    return JSONResponse(CommentOut.model_validate(view).model_dump(mode="json"), status_code=status)


@api("/threads/{thread_id:id}", response=ThreadOut, tag="deliberation", errors=(404,))
async def get_thread(request: Request, thread_id: int) -> JSONResponse:
    """A discussion: its subject, whether it is locked, how many comments it shows."""
    thread, subject = await visible_thread(await actor_of(request), thread_id)
    view = ThreadOut.model_validate(await queries.thread_view(thread, subject))
    return JSONResponse(view.model_dump(mode="json"))


@api(
    "/threads/{thread_id:id}/comments",
    query=CommentsQuery,
    response=CommentsOut,
    tag="deliberation",
    errors=(404,),
)
async def list_comments(request: Request, thread_id: int, query: CommentsQuery) -> JSONResponse:
    """Top-level comments (newest, oldest or most endorsed first) each with its replies,
    paged by `cursor`; or with `view=balanced` the strongest arguments of each side."""
    actor = await actor_of(request)
    thread, _ = await visible_thread(actor, thread_id)
    if query.view == "balanced":
        sides = await queries.balanced(actor, thread, query.limit)
        balanced = BalancedOut.model_validate(sides)
        return JSONResponse(balanced.model_dump(mode="json", by_alias=True))
    items, cursor = await queries.comments_page(
        actor, thread, query.sort, query.cursor, query.limit
    )
    page = CommentPage.model_validate({"items": items, "next": cursor})
    return JSONResponse(page.model_dump(mode="json"))


@api(
    "/threads/{thread_id:id}/comments",
    "POST",
    body=CommentIn,
    response=CommentOut,
    status=201,
    auth=True,
    tag="deliberation",
    errors=(403, 404, 429),
)
async def post_comment(request: Request, thread_id: int, body: CommentIn) -> JSONResponse:
    """Comment, reply (`parent_id`) or, as council, post an official statement."""
    actor = await require_actor(request)
    await limits.check(request, limits.COMMENT, actor.user_id)
    comment = await commands.post_comment(
        actor, thread_id, body.body, body.stance.value, body.parent_id, body.official
    )
    return await _comment_json(request, comment, 201)


@api(
    "/comments/{comment_id:id}",
    "PATCH",
    body=CommentPatch,
    response=CommentOut,
    auth=True,
    tag="deliberation",
    errors=(403, 404),
)
async def edit_comment(request: Request, comment_id: int, body: CommentPatch) -> JSONResponse:
    """Edit one's comment within 15 minutes of posting it; the earlier version is kept."""
    actor = await require_actor(request)
    stance = body.stance.value if body.stance is not None else None
    return await _comment_json(
        request, await commands.edit_comment(actor, comment_id, body.body, stance)
    )


@api(
    "/comments/{comment_id:id}",
    "DELETE",
    response=CommentOut,
    auth=True,
    tag="deliberation",
    errors=(403, 404),
)
async def delete_comment(request: Request, comment_id: int) -> JSONResponse:
    """Delete one's comment: it shows as deleted by the author, its replies stay."""
    actor = await require_actor(request)
    return await _comment_json(request, await commands.delete_comment(actor, comment_id))


@api(
    "/comments/{comment_id:id}/history",
    response=HistoryOut,
    tag="deliberation",
    errors=(404,),
)
async def comment_history(request: Request, comment_id: int) -> JSONResponse:
    """A comment's earlier versions; not shown for a comment a moderator hid."""
    comment = await Comment.get_or_none(id=comment_id)
    if comment is None:
        raise NotFound(Message("This comment does not exist."))
    await visible_thread(await actor_of(request), comment.thread_id)
    body = HistoryOut.model_validate(
        {"comment_id": comment.id, "items": await queries.history(comment)}
    )
    return JSONResponse(body.model_dump(mode="json"))


def _endorsing(outcome: commands.Endorsing, endorsed: bool, status: int) -> JSONResponse:
    body = EndorsementOut(
        comment_id=outcome.comment_id, endorsements=outcome.endorsements, endorsed_by_me=endorsed
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


@api(
    "/comments/{comment_id:id}/endorsements",
    "POST",
    response=EndorsementOut,
    status=201,
    auth=True,
    tag="deliberation",
    # 422: the comment was deleted or hidden, so there is nothing left to endorse.
    errors=(403, 404, 422),
    extra_responses={200: "Endorsed already: nothing changed"},
)
async def endorse_comment(request: Request, comment_id: int) -> JSONResponse:
    """Endorse a comment: 201 the first time, 200 when one had endorsed it already."""
    actor = await require_actor(request)
    outcome = await commands.endorse_comment(actor, comment_id)
    return _endorsing(outcome, True, 201 if outcome.changed else 200)


@api(
    "/comments/{comment_id:id}/endorsements",
    "DELETE",
    response=EndorsementOut,
    auth=True,
    tag="deliberation",
    errors=(404,),
)
async def withdraw_endorsement(request: Request, comment_id: int) -> JSONResponse:
    """Withdraw one's endorsement; without one, nothing changes."""
    actor = await require_actor(request)
    return _endorsing(await commands.withdraw_endorsement(actor, comment_id), False, 200)


@api(
    "/threads/{thread_id:id}/stream",
    tag="deliberation",
    errors=(404,),
    media_type="text/event-stream",
    events={"ready": ThreadReadyOut, "thread": ThreadSignalOut},
    summary="Live discussion: first `ready` with the newest comment's id, then a `thread` "
    "event whenever comments are posted, edited, deleted, hidden or restored, or the thread "
    "is locked or unlocked; read it again",
)
async def stream_thread(request: Request, thread_id: int) -> EventStream:
    """Server-Sent Events telling that the thread changed."""
    thread, _ = await visible_thread(await actor_of(request), thread_id)
    return EventStream(_events(request.app.state.bus, thread.id))


async def _events(bus: Any, thread_id: int) -> AsyncIterator[bytes]:
    try:
        async with bus.subscribe(topics.thread(thread_id)) as queue:
            # Subscribed first, then read: what is posted meanwhile comes as a message.
            ready = ThreadReadyOut(
                thread_id=thread_id, last_comment_id=await queries.last_comment_id(thread_id)
            )
            yield encode(event="ready", data=ready.model_dump_json())
            while True:
                message = await queue.get()
                if message["type"] == "keepalive":
                    yield PING
                elif message["type"] == "thread":
                    queue.overflowed = False
                    yield _signal(message)
    except Exception as exc:
        if not is_database_lost(exc):
            raise
        log.warning("database lost, ending stream of thread %s: %s", thread_id, exc)
        yield encode(retry=RETRY_AFTER * 1000)


def _signal(message: dict[str, Any]) -> bytes:
    data = ThreadSignalOut(thread_id=message["thread_id"], comment_ids=message["comment_ids"])
    return encode(event="thread", data=json.dumps(data.model_dump(mode="json")))
