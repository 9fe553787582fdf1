"""A cap on request bodies, enforced before anything reads them into memory.

A declared Content-Length over the cap is answered at once; a body sent without one
(chunked) is counted as it arrives and cut off as soon as it grows past the cap. Both
get 413, rendered by the same handler as every other HTTP error (problem details for
the API, a page for browsers). Routes that take uploads name their paths with a larger
cap of their own (`larger`); every other route keeps the small one.

A route that can say which field was too large (the crest's form and API) answers for
itself (`Cap.answered`): reading its body raises `BodyTooLarge`, at once when the declared
length is over the cap, and the handler turns that into its own error naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import messages

ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


@dataclass(frozen=True)
class Cap:
    """A larger cap for the POST and PUT routes whose paths match `pattern`."""

    pattern: str
    max_bytes: int
    answered: bool = False


class BodyTooLarge(Exception):
    """Raised by `receive` past the cap; a route that answers for itself catches it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.max_bytes = max_bytes


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        handler: ErrorHandler,
        larger: Sequence[Cap] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.handler = handler
        self.larger = [(re.compile(cap.pattern), cap) for cap in larger]

    def cap(self, scope: Scope) -> Cap:
        if scope["method"] in ("POST", "PUT"):
            for pattern, cap in self.larger:
                if pattern.fullmatch(scope["path"]):
                    return cap
        return Cap("", self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap(scope)
        max_bytes = cap.max_bytes
        declared = any(
            name == b"content-length" and value.isdigit() and int(value) > max_bytes
            for name, value in scope["headers"]
        )
        if declared and not cap.answered:
            await self._refuse(scope, receive, send, max_bytes)
            return
        received = 0
        started = False
        # Known too large, even if the route answers without reading (a sign-in redirect).
        over = declared

        async def counting_receive() -> Message:
            nonlocal received, over
            message = {"type": "http.request"} if declared else await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                over = over or received > max_bytes
                if over:
                    raise BodyTooLarge(max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if over:
                    # The rest of what the client is still sending will not be read.
                    message.setdefault("headers", []).append((b"connection", b"close"))
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Once an answer is under way it stands; the rest of the body is dropped.
            if not started:
                await self._refuse(scope, receive, send, max_bytes)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        detail = messages.Message("The request body must be at most %(max)s bytes.", max=max_bytes)
        response = await self.handler(Request(scope, receive), HTTPException(413, detail))
        # Tell the client we will not read the rest of what it is still sending.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
