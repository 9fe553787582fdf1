"""The Starlette application factory and the services it runs alongside requests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notifications.dispatcher import Dispatcher
from notifications.jobs import make_jobs
from notifications.mail import make_mailer
from participation.mandates.quorum import expire_mandates
from participation.votes.clockwork import advance_votes
from server import api, db, i18n, pages
from server.auth import CSRFCookieMiddleware, SessionMiddleware
from server.body_limit import BodyLimitMiddleware
from server.limits import Limiter, RateLimited, configure
from server.live import make_bus
from server.pages.forms import render_error
from server.problems import (
    DATABASE_FAILURES,
    api_http_exception,
    is_database_down,
    problem,
    unavailable,
)
from server.settings import Settings
from server.templating import FRONTEND, render

log = logging.getLogger(__name__)

EXPIRY_INTERVAL = 60.0


class LocaleMiddleware:
    """Activates the negotiated language per request and remembers an explicit ?lang= choice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        locale = i18n.negotiate(conn)
        token = i18n.activate(locale)
        chosen = conn.query_params.get("lang")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and chosen == locale:
                cookie = f"lang={locale}; Path=/; Max-Age=31536000; SameSite=Lax"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            i18n.deactivate(token)


def _wants_problem(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_problem(request):
        response = await api_http_exception(request, exc)
    else:
        response = render_error(request, exc.status_code, exc.detail)
    # The router's own headers, such as the `Allow` of a 405, belong to the answer.
    response.headers.update(exc.headers or {})
    return response


async def database_down(request: Request, exc: Exception) -> Response:
    """Handled here, before the server-error layer, so the 503 is an answer, not a crash."""
    if not is_database_down(exc):
        raise exc
    if _wants_problem(request):
        return unavailable()
    return render_error(
        request, 503, i18n.gettext("The database is unreachable; try again shortly.")
    )


async def too_many_requests(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    headers = {"Retry-After": str(exc.retry_after)}
    if _wants_problem(request):
        detail = i18n.gettext("Too many attempts in a short time. Please try again later.")
        return problem(429, detail, headers=headers, retry_after=exc.retry_after)
    minutes = math.ceil(exc.retry_after / 60)
    response = render(request, "pages/too_many_requests.html", status=429, minutes=minutes)
    response.headers.update(headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    if _wants_problem(request):
        return problem(500, "Something went wrong on our side.")
    return PlainTextResponse("Internal server error", status_code=500)


async def _expire_periodically() -> None:
    while True:
        await asyncio.sleep(EXPIRY_INTERVAL)
        try:
            await expire_mandates()
        except Exception:
            log.exception("expiring mandates failed")
        try:
            await advance_votes()
        except Exception:
            log.exception("advancing votes failed")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        await db.init(settings.database_url, settings.db_timeout)
        bus = make_bus(settings.redis_url)
        await bus.start()
        mailer = make_mailer(settings.smtp_url, settings.mail_from)
        jobs = await make_jobs(settings.redis_url, {"mailer": mailer})
        dispatcher = Dispatcher(bus)
        dispatcher.start()
        app.state.bus = bus
        app.state.jobs = jobs
        app.state.limiter = Limiter.open(
            configure(settings.rate_limits), settings.redis_url, settings.rate_limit_prefix
        )
        background: list[asyncio.Task[None]] = []
        if not settings.redis_url:
            # Without Redis there is no arq worker: this process also runs the clock jobs.
            background.append(asyncio.create_task(_expire_periodically()))
        try:
            yield {}
        finally:
            for task in background:
                task.cancel()
            await dispatcher.stop()
            await app.state.limiter.close()
            await jobs.close()
            await bus.stop()
            await db.close()

    app = Starlette(
        debug=False,
        routes=[
            *api.routes(),
            Mount("/static", StaticFiles(directory=FRONTEND / "static"), name="static"),
            *pages.routes(settings),
        ],
        middleware=[
            Middleware(CSRFCookieMiddleware, secure=settings.secure_cookies),
            Middleware(SessionMiddleware, settings=settings),
            Middleware(LocaleMiddleware),
            Middleware(
                BodyLimitMiddleware, max_bytes=settings.max_request_bytes, handler=http_exception
            ),
        ],
        exception_handlers={
            HTTPException: http_exception,
            RateLimited: too_many_requests,
            **dict.fromkeys(DATABASE_FAILURES, database_down),
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
