"""The inbox page: her notifications as sentences in her language, newest first, unread
news of one subject as one line; forms to mark one (its group) or all read."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifications import inbox
from notifications.sentences import translated
from participation.actors import Actor
from participation.errors import DomainError
from participation.redirects import safe_next
from server import i18n
from server.auth import actor_of
from server.pages.forms import action, error_page, sign_in_redirect
from server.templating import render
from server.web import Pages

PAGE = 25
HOME = "/me/notifications"


async def inbox_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    unread = request.query_params.get("unread") == "1"
    try:
        items, cursor = await inbox.list_inbox(
            actor, unread=unread, limit=PAGE, cursor=request.query_params.get("cursor")
        )
    except DomainError as exc:
        return error_page(request, exc)
    query = {"unread": "1"} if unread else {}
    return render(
        request,
        "pages/notifications.html",
        items=[(item, translated(item.sentence, i18n.gettext)) for item in items],
        unread_only=unread,
        unread=await inbox.unread_count(actor),
        next_url=f"?{urlencode({**query, 'cursor': cursor})}" if cursor else None,
    )


def _back(form: FormData) -> str:
    target = form.get("next")
    return safe_next(target if isinstance(target, str) else HOME, fallback=HOME)


async def mark_read(request: Request) -> Response:
    notification_id = request.path_params["notification_id"]

    async def perform(actor: Actor, form: FormData) -> Response:
        await inbox.mark_read(actor, notification_id)
        return RedirectResponse(_back(form), status_code=303)

    return await action(request, perform, HOME)


async def mark_all_read(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await inbox.mark_all_read(actor)
        return RedirectResponse(_back(form), status_code=303)

    return await action(request, perform, HOME)


ROUTES = [
    Route(HOME, inbox_page),
    Route("/me/notifications/{notification_id:id}/read", mark_read, methods=["POST"]),
    Route("/me/notifications/read-all", mark_all_read, methods=["POST"]),
]

PAGES = Pages(7, ROUTES)
