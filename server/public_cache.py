"""No cookie on a response that shared caches may keep.

A response marked `Cache-Control: public` (theme.css, a crest, favicons, feeds, open
data, public files and figures), or a static file (which caches keep by heuristic, from
its Last-Modified), may be stored by a proxy or CDN and handed to everyone who asks for
the same address; a `Set-Cookie` on it would hand one browser's CSRF value,
renewed session or language choice to them all. The middlewares that set cookies do not
know what the route will answer, so this one, outside them all, drops the cookies from
such responses: the browser gets them with its next page instead.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def is_public(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"cache-control"
        and b"public" in (part.strip() for part in value.lower().split(b","))
        for name, value in headers
    )


class PublicCacheMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_without_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if static or is_public(headers):
                    message["headers"] = [(n, v) for n, v in headers if n.lower() != b"set-cookie"]
            await send(message)

        await self.app(scope, receive, send_without_cookies)
