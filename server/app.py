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

from notifications import tasks
from notifications.email import outgoing
from notifications.jobs import make_jobs
from notifications.mail import make_mailer
from participation import areas, db
from participation.files import storage
from participation.live.bus import make_bus
from participation.outbox import consumers
from server import api, i18n, pages, shutdown, uploads
from server.api.event_stream import StreamHandoff
from server.auth import SessionMiddleware
from server.body_limit import BodyLimitMiddleware
from server.csrf import CSRFMiddleware
from server.face import FaceMiddleware
from server.header_links import HeaderLinksMiddleware
from server.limits import Limiter, RateLimited, configure
from server.outage import DatabaseLostMiddleware
from server.pages.forms import render_error
from server.problems import api_http_exception, problem, wants_problem
from server.public_cache import PublicCacheMiddleware
from server.security_headers import SecurityHeadersMiddleware
from server.settings import Settings
from server.templating import FRONTEND, render

log = logging.getLogger(__name__)

CLOCK_INTERVAL = 60.0


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


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if wants_problem(request):
        response = await api_http_exception(request, exc)
    else:
        response = render_error(request, exc.status_code, exc.detail)
    # The router's own headers, such as the `Allow` of a 405, belong to the answer.
    response.headers.update(exc.headers or {})
    return response


async def too_many_requests(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    headers = {"Retry-After": str(exc.retry_after)}
    if wants_problem(request):
        detail = i18n.gettext("Too many attempts in a short time. Please try again later.")
        return problem(429, detail, headers=headers, retry_after=exc.retry_after)
    minutes = math.ceil(exc.retry_after / 60)
    response = render(request, "pages/too_many_requests.html", status=429, minutes=minutes)
    response.headers.update(headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    if wants_problem(request):
        return problem(500, "Something went wrong on our side.")
    return PlainTextResponse("Internal server error", status_code=500)


async def _run_clock_jobs() -> None:
    """Without a worker, this process runs the areas' clock jobs, one after another."""
    rounds = 0
    while True:
        await asyncio.sleep(CLOCK_INTERVAL)
        rounds += 1
        for job in areas.clock_jobs():
            if rounds % job.every:
                continue
            try:
                # Tries, timeout and dead letter as on a worker.
                await tasks.perform(tasks.clock_task(job), {}, {})
            except Exception:
                log.exception("clock job %s failed and could not be recorded", job.name)


class Auftrag(Starlette):
    """Starlette with the security headers wrapped around its error layer."""

    def build_middleware_stack(self) -> ASGIApp:
        # Starlette puts every configured middleware inside the layer that answers a
        # crash with 500; this one goes outside, so that answer carries the headers too.
        hsts = self.state.settings.base_url.startswith("https://")
        # Outermost of all: event streams are answered through every layer, then their
        # endless body is sent from here, so no layer waits in memory per open stream.
        return StreamHandoff(SecurityHeadersMiddleware(super().build_middleware_stack(), hsts=hsts))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        await db.init(settings.database_url, settings.db_timeout)
        bus = make_bus(settings.redis_url)
        await bus.start()
        mailer = make_mailer(settings.smtp_url, settings.mail_from, settings.dev_mailbox)
        # The sender signs unsubscribe links with this app's keys, not the environment's.
        ctx = {"mailer": mailer, "outgoing": outgoing.from_settings(settings)}
        jobs = await make_jobs(settings.redis_url, ctx)
        runners = consumers.runners({"bus": bus, "jobs": jobs})
        for runner in runners:
            runner.start()
        app.state.bus = bus
        app.state.jobs = jobs
        app.state.limiter = Limiter.open(
            configure(settings.rate_limits), settings.redis_url, settings.rate_limit_prefix
        )
        background: list[asyncio.Task[None]] = []
        if not settings.redis_url:
            # Without Redis there is no arq worker: this process also runs the clock jobs.
            background.append(asyncio.create_task(_run_clock_jobs()))
        try:
            yield {}
        finally:
            # Each step bounded, so a stuck one cannot keep the process from exiting.
            for task in background:
                task.cancel()
            clock_jobs = asyncio.gather(*background, return_exceptions=True)
            await shutdown.bounded("clock jobs", clock_jobs)
            for runner in runners:
                await shutdown.bounded(f"outbox consumer {runner.name}", runner.stop())
            await shutdown.bounded("rate limiter", app.state.limiter.close())
            await shutdown.bounded("jobs", jobs.close())
            await shutdown.bounded("mailer", mailer.close())
            await shutdown.bounded("live bus", bus.stop())
            await shutdown.bounded("database", db.close(), force=db.terminate)

    app = Auftrag(
        debug=False,
        routes=[
            *api.routes(),
            Mount("/static", StaticFiles(directory=FRONTEND / "static"), name="static"),
            *pages.routes(settings),
        ],
        middleware=[
            # Outside every middleware that sets a cookie.
            Middleware(PublicCacheMiddleware),
            # Outermost but one, so that every answer, a 503 for a lost database
            # included, is in the reader's language.
            Middleware(LocaleMiddleware),
            Middleware(DatabaseLostMiddleware),
            Middleware(SessionMiddleware, settings=settings),
            Middleware(CSRFMiddleware, settings=settings, handler=http_exception),
            Middleware(HeaderLinksMiddleware),
            Middleware(FaceMiddleware),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.max_request_bytes,
                handler=http_exception,
                larger=uploads.LARGER_BODIES,
            ),
        ],
        exception_handlers={
            HTTPException: http_exception,
            RateLimited: too_many_requests,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    storage.use(storage.LocalStorage(settings.file_store))
    return app
