"""A lost database is a 503 with Retry-After, wherever in the app it is noticed."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation.outage import is_database_lost
from server import i18n
from server.pages.forms import render_error
from server.problems import DATABASE_UNREACHABLE, RETRY_AFTER, unavailable, wants_problem

log = logging.getLogger(__name__)


def database_lost(request: Request) -> Response:
    """Problem details for the API, the error page for browsers; both say when to retry."""
    if wants_problem(request):
        return unavailable()
    response = render_error(request, 503, i18n.gettext(DATABASE_UNREACHABLE))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


class DatabaseLostMiddleware:
    """Answers 503 for a lost database raised anywhere below it, route or middleware.

    Starlette's exception handlers see only what routes raise; an error in a middleware
    (the session renewal loads from the database) would reach the server-error layer
    and become a 500. A response already under way (an event stream) cannot change
    its status, so that error goes on up.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started or not is_database_lost(exc):
                raise
            log.warning("database lost, answering 503: %s: %s", type(exc).__name__, exc)
            await database_lost(Request(scope, receive))(scope, receive, send)
