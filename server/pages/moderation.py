"""Moderation pages: the moderators' queue, an account's record, the public log, and the
plain-POST forms of the comment and thread partials (flag, decide, ask for review, lock).

Every form goes back to where it was sent from (`next`, checked to be a path of this
site), to the comment's or the discussion's anchor; a mistake shows the error page
naming the field, as these forms have one or two fields each.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation import clock
from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.moderation import commands, queries
from participation.redirects import safe_next
from server.auth import actor_of
from server.pages.deliberation import discussion_again
from server.pages.forms import NO_FORM, FormState, action, error_page, for_page, sign_in_redirect
from server.templating import render
from server.web import Pages

QUEUE_PAGE = 25
LOG_PAGE = 50


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _back(form: FormData, fallback: str, anchor: str) -> str:
    """Where the form was sent from, at the anchor of what it changed."""
    target = safe_next(_text(form, "next") or fallback, fallback=fallback).split("#", 1)[0]
    return f"{target}#{anchor}"


async def _to_comment(comment_id: int, form: FormData) -> str:
    comment, thread = await commands.comment_and_thread(comment_id)
    paths = queries.subject_paths([thread])
    return _back(form, paths[thread.id], queries.comment_anchor(comment.id))


def _comment_form(
    perform: Callable[[Actor, int, FormData], Awaitable[object]],
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        comment_id = request.path_params["comment_id"]

        async def run(actor: Actor, form: FormData) -> Response:
            await perform(actor, comment_id, form)
            return RedirectResponse(await _to_comment(comment_id, form), status_code=303)

        async def again(actor: Actor, state: FormState, status: int) -> Response:
            state.form = f"flag-{comment_id}"
            _, thread = await commands.comment_and_thread(comment_id)
            return await discussion_again(request, actor, thread.id, state, status)

        if perform is _flag:
            return await action(request, run, "/", form_id="flag", rerender=again)
        return await action(request, run, "/")

    return handle


def _decision_form() -> Callable[[Request], Awaitable[Response]]:
    """A moderator's decision; refused, the moderation queue it was sent from again."""

    async def handle(request: Request) -> Response:
        comment_id = request.path_params["comment_id"]
        form_id = ""

        async def run(actor: Actor, form: FormData) -> Response:
            nonlocal form_id
            form_id = f"decide-{comment_id}-{_text(form, 'action')}"
            await _decide(actor, comment_id, form)
            return RedirectResponse(await _to_comment(comment_id, form), status_code=303)

        async def again(actor: Actor, state: FormState, status: int) -> Response:
            if not form_id:
                raise NotFound(Message("This page does not exist."))
            state.form = form_id
            slug = _queue_slug(state.values.get("next", ""))
            if slug is None:  # sent from a discussion: its own page
                _, thread = await commands.comment_and_thread(comment_id)
                return await discussion_again(request, actor, thread.id, state, status)
            for_page(request, f"/m/{slug}/moderation")
            return await _queue(request, actor, slug, status, state, f"/m/{slug}/moderation")

        return await action(request, run, "/", form_id="decide", rerender=again)

    return handle


def _queue_slug(next_path: str) -> str | None:
    """The municipality whose moderation queue `next_path` is, if it is one."""
    parts = safe_next(next_path).split("?", 1)[0].split("#", 1)[0].strip("/").split("/")
    if len(parts) == 3 and parts[0] == "m" and parts[2] == "moderation":
        return parts[1]
    return None


async def _flag(actor: Actor, comment_id: int, form: FormData) -> None:
    await commands.flag_comment(actor, comment_id, _text(form, "reason"), _text(form, "text"))


async def _decide(actor: Actor, comment_id: int, form: FormData) -> None:
    await commands.moderate_comment(actor, comment_id, _text(form, "action"), _text(form, "reason"))


async def _review(actor: Actor, comment_id: int, form: FormData) -> None:
    await commands.request_review(actor, comment_id)


def _thread_form(locking: bool) -> Callable[[Request], Awaitable[Response]]:
    perform = commands.lock_thread if locking else commands.unlock_thread

    async def handle(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]

        async def run(actor: Actor, form: FormData) -> Response:
            thread = await perform(actor, thread_id, _text(form, "reason"))
            paths = queries.subject_paths([thread])
            back = _back(form, paths[thread.id], queries.thread_anchor(thread.id))
            return RedirectResponse(back, status_code=303)

        return await action(request, run, "/")

    return handle


def _until(form: FormData) -> datetime | None:
    """The end of a suspension from the form's number of days (1 to 365)."""
    days = parse_id(_text(form, "days").strip(), maximum=365)
    if days is None:
        raise InvalidInput.on("days", Message("Enter a number of days from 1 to 365."))
    return clock.now() + timedelta(days=days)


async def suspend(request: Request) -> Response:
    slug = request.path_params["slug"]

    async def run(actor: Actor, form: FormData) -> Response:
        user_id = parse_id(_text(form, "user_id")) or 0
        await commands.suspend_account(actor, slug, user_id, _until(form), _text(form, "reason"))
        return RedirectResponse(f"/m/{slug}/moderation/accounts/{user_id}", status_code=303)

    async def again(actor: Actor, state: FormState, status: int) -> Response:
        user_id = parse_id(state.values.get("user_id", ""))
        if user_id is None:
            raise NotFound(Message("This page does not exist."))
        for_page(request, f"/m/{slug}/moderation/accounts/{user_id}")
        return await _account(request, actor, slug, user_id, status, state)

    return await action(request, run, f"/m/{slug}/moderation", form_id="suspend", rerender=again)


async def queue_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    slug = request.path_params["slug"]
    try:
        return await _queue(request, actor, slug, 200, NO_FORM, request.url.path)
    except DomainError as exc:
        return error_page(request, exc)


async def _queue(
    request: Request, actor: Actor, slug: str, status: int, state: FormState, here: str
) -> Response:
    """The moderation queue's first page; `state` a refused decision shown again."""
    municipality = await queries.municipality_of(slug)
    cursor = request.query_params.get("cursor") if request.method == "GET" else None
    items, next_cursor = await queries.moderation_queue(actor, slug, QUEUE_PAGE, cursor)
    return render(
        request,
        "pages/moderation_queue.html",
        status=status,
        form_state=state,
        municipality=municipality,
        items=items,
        next_url=f"?cursor={next_cursor}" if next_cursor else None,
        here=here,
    )


async def account_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    slug = request.path_params["slug"]
    try:
        return await _account(request, actor, slug, request.path_params["user_id"])
    except DomainError as exc:
        return error_page(request, exc)


async def _account(
    request: Request,
    actor: Actor,
    slug: str,
    user_id: int,
    status: int = 200,
    state: FormState = NO_FORM,
) -> Response:
    """A person's moderation record; `state` a refused suspension shown again."""
    municipality = await queries.municipality_of(slug)
    record = await queries.account_record(actor, slug, user_id)
    return render(
        request,
        "pages/moderation_account.html",
        status=status,
        form_state=state,
        municipality=municipality,
        record=record,
        here=f"/m/{slug}/moderation/accounts/{user_id}",
        now=clock.now(),
    )


async def log_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    try:
        municipality = await queries.municipality_of(slug)
        items, cursor = await queries.moderation_log(
            slug, LOG_PAGE, request.query_params.get("cursor")
        )
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/moderation_log.html",
        municipality=municipality,
        items=items,
        next_url=f"?cursor={cursor}" if cursor else None,
    )


ROUTES = [
    Route("/m/{slug}/moderation", queue_page),
    Route("/m/{slug}/moderation/accounts/{user_id:id}", account_page),
    Route("/m/{slug}/moderation-log", log_page),
    Route("/m/{slug}/suspensions", suspend, methods=["POST"]),
    Route("/comments/{comment_id:id}/flags", _comment_form(_flag), methods=["POST"]),
    Route("/comments/{comment_id:id}/moderation", _decision_form(), methods=["POST"]),
    Route("/comments/{comment_id:id}/review-request", _comment_form(_review), methods=["POST"]),
    Route("/threads/{thread_id:id}/lock", _thread_form(True), methods=["POST"]),
    Route("/threads/{thread_id:id}/unlock", _thread_form(False), methods=["POST"]),
]

PAGES = Pages(6, ROUTES)
