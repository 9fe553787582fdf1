"""The site's icon, at the address browsers ask for unprompted and as the pages link it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from server.templating import FRONTEND
from server.web import Pages

STATIC = FRONTEND / "static"
# A year: the icon changes with a release at most, and then under the same name is fine
# for an icon that is merely a little old.
CACHE = "public, max-age=31536000"


async def icon(request: Request) -> Response:
    name = request.url.path.lstrip("/")
    media = "image/svg+xml" if name.endswith(".svg") else "image/x-icon"
    return FileResponse(STATIC / name, media_type=media, headers={"Cache-Control": CACHE})


ROUTES = [
    Route("/favicon.ico", icon, methods=["GET", "HEAD"]),
    Route("/favicon.svg", icon, methods=["GET", "HEAD"]),
]

PAGES = Pages(5, ROUTES)
