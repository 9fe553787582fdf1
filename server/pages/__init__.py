"""HTML pages: server-rendered, working without JavaScript."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from server.pages import auth, mandates
from server.settings import Settings
from server.templating import render


async def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    return render(request, "pages/error.html", status=status, status_code=status, detail=detail)


def routes(settings: Settings) -> list[BaseRoute]:
    extra = [auth.MAILBOX] if auth.mailbox_enabled(settings) else []
    return [*mandates.ROUTES, *auth.ROUTES, *extra]
