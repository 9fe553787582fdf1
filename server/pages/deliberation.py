"""The discussion section of mandate, measure and vote pages, and its forms.

Every form is a plain POST (CSRF as everywhere): posting, replying, editing, deleting,
endorsing. Success goes back to the subject's page at the comment; a mistake shows the
discussion again on its own page (`/threads/<id>`), the form filled in and the message
next to the field, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation import clock
from participation.actors import Actor
from participation.deliberation import commands, queries, rules
from participation.deliberation.actions import ENDORSE_COMMENT, POST_COMMENT, POST_OFFICIAL
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.deliberation.subjects import Subject, visible_thread
from participation.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.queries import place_of
from participation.permissions import may
from participation.suspensions.check import active_suspension
from server import limits
from server.auth import actor_of
from server.pages.forms import (
    NO_FORM,
    FormState,
    error_page,
    for_page,
    posted,
    problems,
    read_form,
    sign_in_redirect,
)
from server.templating import render
from server.web import Pages

PAGE = 20


def _form_state(
    which: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Which form (`new`, `reply-<id>`, `edit-<id>`) shows `values` and `errors` again."""
    return {"which": which, "values": values or {}, "errors": errors or {}}


async def section(
    request: Request,
    actor: Actor | None,
    thread: Thread,
    subject: Subject,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What `partials/discussion.html` shows: the page of comments the query asks for
    (`sort`, `cursor`, `view=balanced`), and what the reader may do."""
    params = request.query_params
    sort = params.get("sort", queries.Sort.NEWEST)
    if sort not in set(queries.Sort):
        sort = queries.Sort.NEWEST
    balanced = params.get("view") == "balanced"
    cursor = params.get("cursor") or None
    try:
        comments, next_cursor = await queries.comments_page(actor, thread, sort, cursor, PAGE)
    except InvalidInput:
        comments, next_cursor = await queries.comments_page(actor, thread, sort, None, PAGE)
        cursor = None
    place = await place_of(thread.municipality_id)
    suspension = await active_suspension(actor.user_id, thread.municipality_id) if actor else None
    writable = thread.locked_at is None and suspension is None
    editable_since = clock.now() - rules.EDIT_WINDOW
    if actor is not None:
        await _sources(actor, comments, editable_since)
    return {
        "thread": thread,
        "subject": subject,
        "view": await queries.thread_view(thread, subject),
        "last_comment_id": await queries.last_comment_id(thread.id),
        "comments": [_nested(c) for c in comments],
        "sort": sort,
        "cursor": cursor,
        "next": next_cursor,
        "balanced": await queries.balanced(actor, thread) if balanced else None,
        "may_post": writable and may(actor, POST_COMMENT, place),
        "may_official": writable and may(actor, POST_OFFICIAL, place),
        "may_endorse": writable and may(actor, ENDORSE_COMMENT, place),
        "suspended_until": suspension.until if suspension else None,
        "editable_since": editable_since,
        "body_max": rules.BODY_MAX,
        "form": form or _form_state(),
    }


async def _sources(actor: Actor, comments: list[dict[str, Any]], since: datetime) -> None:
    """The Markdown of the reader's own comments she may still edit, for the edit form."""
    views = [v for c in comments for v in (c, *c["replies"])]
    mine = {
        v["id"]: v
        for v in views
        if v["author_id"] == actor.user_id and v["created_at"] > since and v["body_html"]
    }
    if mine:
        for comment_id, body in await Comment.filter(id__in=list(mine)).values_list("id", "body"):
            mine[comment_id]["body_source"] = body


def _nested(conversation: dict[str, Any]) -> dict[str, Any]:
    """The top-level comment with its replies as a tree (`children`), for nested lists."""
    nodes = {r["id"]: {**r, "children": []} for r in conversation["replies"]}
    root = {**conversation, "children": []}
    for reply in conversation["replies"]:
        parent = nodes.get(reply["parent_id"], root)
        parent["children"].append(nodes[reply["id"]])
    return root


async def subject_section(
    request: Request, actor: Actor | None, subject_type: SubjectType, subject_id: int
) -> dict[str, Any] | None:
    """The section for a subject's page; None if the subject has no thread."""
    thread = await Thread.get_or_none(subject_type=subject_type, subject_id=subject_id)
    if thread is None:
        return None
    try:
        thread, subject = await visible_thread(actor, thread.id)
    except NotFound:
        return None
    return await section(request, actor, thread, subject)


async def _discussion_page(
    request: Request,
    actor: Actor | None,
    thread_id: int,
    form: dict[str, Any] | None = None,
    status: int = 200,
    form_state: FormState = NO_FORM,
) -> Response:
    """`form` a refused comment form; `form_state` a refused moderation form (a report,
    a moderator's decision) of one of its comments."""
    try:
        thread, subject = await visible_thread(actor, thread_id)
    except DomainError as exc:
        return error_page(request, exc)
    discussion = await section(request, actor, thread, subject, form)
    return render(
        request,
        "pages/discussion.html",
        status=status,
        discussion=discussion,
        form_state=form_state,
    )


async def discussion_again(
    request: Request, actor: Actor, thread_id: int, state: FormState, status: int
) -> Response:
    """The discussion's own page with a refused moderation form of it shown again."""
    for_page(request, f"/threads/{thread_id}")
    return await _discussion_page(request, actor, thread_id, status=status, form_state=state)


async def thread_page(request: Request) -> Response:
    return await _discussion_page(
        request, await actor_of(request), request.path_params["thread_id"]
    )


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _id_or_bad(text: str) -> int | None:
    """None for nothing chosen; -1, which names no comment, for text that is no id."""
    if not text.strip():
        return None
    chosen = parse_id(text.strip())
    return -1 if chosen is None else chosen


Perform = Callable[[Actor, FormData], Awaitable[Comment | None]]


async def _act(
    request: Request,
    thread_id: int,
    which: Callable[[FormData], str],
    perform: Perform,
    back: str,
) -> Response:
    """Run a form's command; back to the subject's page, or the form again with errors."""
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    try:
        comment = await perform(actor, form)
    except NotAuthenticated:
        return sign_in_redirect(request, back)
    except (InvalidInput, PermissionDenied, Conflict) as exc:
        # Shown again where the form still is: a thread locked meanwhile has none.
        state = _form_state(which(form), posted(form), problems(exc))
        for_page(request, f"/threads/{thread_id}")
        return await _discussion_page(request, actor, thread_id, state, status=exc.status)
    except DomainError as exc:
        return error_page(request, exc)
    try:
        _, subject = await visible_thread(actor, thread_id)
        target = subject.link
    except NotFound:
        target = f"/threads/{thread_id}"
    anchor = f"#comment-{comment.id}" if comment is not None else "#discussion"
    return RedirectResponse(target + anchor, status_code=303)


async def post_form(request: Request) -> Response:
    thread_id = request.path_params["thread_id"]
    actor = await actor_of(request)
    if actor is not None:
        await limits.check(request, limits.COMMENT, actor.user_id)

    async def perform(actor: Actor, form: FormData) -> Comment:
        parent = _id_or_bad(_text(form, "parent_id"))
        return await commands.post_comment(
            actor,
            thread_id,
            _text(form, "body"),
            _text(form, "stance") or "neutral",
            parent,
            _text(form, "official") == "1",
        )

    def which(form: FormData) -> str:
        """The reply form of the comment answered, or the form for a new comment."""
        parent = _text(form, "parent_id").strip()
        return f"reply-{parent}" if parent else "new"

    return await _act(request, thread_id, which, perform, f"/threads/{thread_id}")


async def _comment_or_page(request: Request) -> tuple[Comment | None, Response | None]:
    comment = await Comment.get_or_none(id=request.path_params["comment_id"])
    if comment is None:
        return None, error_page(request, NotFound(Message("This comment does not exist.")))
    return comment, None


def _on_comment(
    which: str, run: Callable[[Actor, Comment, FormData], Awaitable[Comment | None]]
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        comment, missing = await _comment_or_page(request)
        if missing is not None:
            return missing
        assert comment is not None

        async def perform(actor: Actor, form: FormData) -> Comment | None:
            return await run(actor, comment, form)

        back = f"/threads/{comment.thread_id}"
        form_name = f"{which}-{comment.id}"
        return await _act(request, comment.thread_id, lambda _: form_name, perform, back)

    return handle


async def _edit(actor: Actor, comment: Comment, form: FormData) -> Comment:
    return await commands.edit_comment(
        actor, comment.id, _text(form, "body"), _text(form, "stance") or None
    )


async def _delete(actor: Actor, comment: Comment, form: FormData) -> Comment:
    return await commands.delete_comment(actor, comment.id)


async def _endorse(actor: Actor, comment: Comment, form: FormData) -> Comment:
    await commands.endorse_comment(actor, comment.id)
    return comment


async def _withdraw(actor: Actor, comment: Comment, form: FormData) -> Comment:
    await commands.withdraw_endorsement(actor, comment.id)
    return comment


async def history_page(request: Request) -> Response:
    actor = await actor_of(request)
    comment, missing = await _comment_or_page(request)
    if missing is not None:
        return missing
    assert comment is not None
    try:
        thread, subject = await visible_thread(actor, comment.thread_id)
        versions = await queries.history(comment)
    except DomainError as exc:
        return error_page(request, exc)
    current = (await queries.views(actor, [comment]))[0]
    return render(
        request,
        "pages/comment_history.html",
        comment=current,
        versions=versions,
        subject=subject,
        thread=thread,
    )


ROUTES = [
    Route("/threads/{thread_id:id}", thread_page),
    Route("/threads/{thread_id:id}/comments", post_form, methods=["POST"]),
    Route("/comments/{comment_id:id}/edit", _on_comment("edit", _edit), methods=["POST"]),
    Route("/comments/{comment_id:id}/delete", _on_comment("delete", _delete), methods=["POST"]),
    Route("/comments/{comment_id:id}/endorse", _on_comment("endorse", _endorse), methods=["POST"]),
    Route(
        "/comments/{comment_id:id}/withdraw-endorsement",
        _on_comment("endorse", _withdraw),
        methods=["POST"],
    ),
    Route("/comments/{comment_id:id}/history", history_page),
]

PAGES = Pages(6, ROUTES)
