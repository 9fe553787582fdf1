"""A cap on request bodies, enforced before anything reads them into memory.

A declared Content-Length over the cap is answered at once; a body sent without one
(chunked) is counted as it arrives and cut off as soon as it grows past the cap. Both
get 413, rendered by the same handler as every other HTTP error (problem details for
the API, a page for browsers). Routes that take uploads name their paths with a larger
cap of their own (`larger`); every other route keeps the small one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import messages

ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        handler: ErrorHandler,
        larger: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.handler = handler
        # (path pattern, cap) of POST and PUT routes that take more, such as uploads.
        self.larger = [(re.compile(pattern), cap) for pattern, cap in larger]

    def cap(self, scope: Scope) -> int:
        if scope["method"] in ("POST", "PUT"):
            for pattern, cap in self.larger:
                if pattern.fullmatch(scope["path"]):
                    return cap
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.cap(scope)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await self._refuse(scope, receive, send, max_bytes)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _TooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            # Once an answer is under way it stands; the rest of the body is dropped.
            if not started:
                await self._refuse(scope, receive, send, max_bytes)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        detail = messages.Message("The request body must be at most %(max)s bytes.", max=max_bytes)
        response = await self.handler(Request(scope, receive), HTTPException(413, detail))
        # Tell the client we will not read the rest of what it is still sending.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
