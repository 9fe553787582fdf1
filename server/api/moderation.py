"""Flags, the moderators' queue and decisions, thread locks, suspensions, the public log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.deliberation.models import Comment, Thread
from participation.moderation import commands, queries
from server.api.endpoint import Registry
from server.api.moderation_schemas import (
    AccountOut,
    FlagIn,
    FlagOut,
    LogList,
    ModeratedOut,
    ModerationIn,
    QueueList,
    ReasonIn,
    ReviewOut,
    SuspensionIn,
    SuspensionOut,
    ThreadLockOut,
)
from server.api.schemas import ListQuery
from server.auth import require_actor

api = Registry(order=78)


@api(
    "/comments/{comment_id:id}/flags",
    "POST",
    body=FlagIn,
    response=FlagOut,
    status=201,
    auth=True,
    tag="moderation",
    errors=(403, 404, 409),
)
async def flag_comment(request: Request, comment_id: int, body: FlagIn) -> JSONResponse:
    """Report a comment, once; at the municipality's threshold it is hidden pending review."""
    actor = await require_actor(request)
    outcome = await commands.flag_comment(actor, comment_id, body.reason, body.text)
    out = FlagOut(comment_id=comment_id, reason=outcome.flag.reason, hidden=outcome.hid)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


def _moderated(comment: Comment) -> JSONResponse:
    out = ModeratedOut(
        comment_id=comment.id,
        hidden=comment.hidden_at is not None,
        hidden_reason=comment.hidden_reason,
        flags=comment.flag_count,
    )
    return JSONResponse(out.model_dump(mode="json"))


@api(
    "/comments/{comment_id:id}/moderation",
    "POST",
    body=ModerationIn,
    response=ModeratedOut,
    auth=True,
    tag="moderation",
    errors=(403, 404, 409),
)
async def moderate_comment(request: Request, comment_id: int, body: ModerationIn) -> JSONResponse:
    """Hide, restore or dismiss the flags of a comment, with a public reason (moderators)."""
    actor = await require_actor(request)
    return _moderated(await commands.moderate_comment(actor, comment_id, body.action, body.reason))


@api(
    "/comments/{comment_id:id}/review-request",
    "POST",
    response=ReviewOut,
    status=201,
    auth=True,
    tag="moderation",
    errors=(403, 404, 409),
)
async def request_review(request: Request, comment_id: int) -> JSONResponse:
    """Ask, once, for a second look at one's hidden comment; it goes to the top of the queue."""
    actor = await require_actor(request)
    comment = await commands.request_review(actor, comment_id)
    assert comment.review_requested_at is not None
    out = ReviewOut(comment_id=comment.id, review_requested_at=comment.review_requested_at)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


def _lock(thread: Thread) -> JSONResponse:
    out = ThreadLockOut(
        thread_id=thread.id, locked=thread.locked_at is not None, locked_at=thread.locked_at
    )
    return JSONResponse(out.model_dump(mode="json"))


LOCKING = {
    "body": ReasonIn,
    "response": ThreadLockOut,
    "auth": True,
    "tag": "moderation",
    "errors": (403, 404, 409),
}


@api("/threads/{thread_id:id}/lock", "POST", **LOCKING)
async def lock_thread(request: Request, thread_id: int, body: ReasonIn) -> JSONResponse:
    """Lock a discussion: no new comments, replies or edits (moderators)."""
    actor = await require_actor(request)
    return _lock(await commands.lock_thread(actor, thread_id, body.reason))


@api("/threads/{thread_id:id}/unlock", "POST", **LOCKING)
async def unlock_thread(request: Request, thread_id: int, body: ReasonIn) -> JSONResponse:
    """Open a locked discussion again (moderators)."""
    actor = await require_actor(request)
    return _lock(await commands.unlock_thread(actor, thread_id, body.reason))


@api(
    "/municipalities/{slug}/moderation/queue",
    query=ListQuery,
    response=QueueList,
    auth=True,
    tag="moderation",
    errors=(403, 404),
)
async def moderation_queue(request: Request, slug: str, query: ListQuery) -> JSONResponse:
    """What the municipality's moderators have to decide on: review requests first, then by
    open flags, then by age (moderators and administrators)."""
    actor = await require_actor(request)
    items, cursor = await queries.moderation_queue(actor, slug, query.limit, query.cursor)
    body = QueueList.model_validate({"items": items, "next": cursor})
    return JSONResponse(body.model_dump(mode="json"))


@api(
    "/municipalities/{slug}/moderation/accounts/{user_id:id}",
    response=AccountOut,
    auth=True,
    tag="moderation",
    errors=(403, 404),
)
async def account_record(request: Request, slug: str, user_id: int) -> JSONResponse:
    """An account's recent comments here, the flags they received and its suspensions."""
    actor = await require_actor(request)
    record = await queries.account_record(actor, slug, user_id)
    return JSONResponse(AccountOut.model_validate(record).model_dump(mode="json"))


@api(
    "/municipalities/{slug}/suspensions",
    "POST",
    body=SuspensionIn,
    response=SuspensionOut,
    status=201,
    auth=True,
    tag="moderation",
    errors=(403, 404),
)
async def suspend_account(request: Request, slug: str, body: SuspensionIn) -> JSONResponse:
    """Suspend an account here until a time: it may read and export, not write."""
    actor = await require_actor(request)
    suspension = await commands.suspend_account(actor, slug, body.user_id, body.until, body.reason)
    out = SuspensionOut(
        id=suspension.id,
        user_id=suspension.user_id,
        until=suspension.until,
        reason=suspension.reason,
        created_at=suspension.created_at,
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@api(
    "/municipalities/{slug}/moderation-log",
    query=ListQuery,
    response=LogList,
    tag="moderation",
    errors=(404,),
)
async def moderation_log(request: Request, slug: str, query: ListQuery) -> JSONResponse:
    """The public log of what moderation did here, newest first: never hidden text, never
    whose comment it was or who decided."""
    items, cursor = await queries.moderation_log(slug, query.limit, query.cursor)
    body = LogList.model_validate({"items": items, "next": cursor})
    return JSONResponse(body.model_dump(mode="json"))
