"""Server-Sent Events for many idle readers: one small task per open stream.

sse-starlette runs an anyio task group of four tasks per stream (the events, pings, the
client leaving, the server leaving), about 40 KB of memory each; ten thousand readers
of one mandate need less. Here the request's own task sends the events (pings too, when
the live bus's keep-alive comes by), one task per stream waits for the client to leave
and ends the stream, and one task per process ends every stream when uvicorn is
shutting down, so a deploy does not wait out its grace period.

And the body is sent from outside the app: the response's start goes through every
middleware as usual (headers, cookies), then `StreamHandoff`, the outermost layer, sends
the endless body itself. Otherwise each open stream would keep a suspended frame of
every layer of the stack in memory, for as long as it is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

PING = b": ping\n\n"
HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    # nginx and others buffer responses unless told not to; a live stream must not wait.
    (b"x-accel-buffering", b"no"),
]


def encode(
    *,
    event: str | None = None,
    data: str | None = None,
    id: str | None = None,
    retry: int | None = None,
) -> bytes:
    """One event in the text/event-stream format; data may span lines."""
    lines = []
    if id is not None:
        lines.append(f"id: {id}")
    if event is not None:
        lines.append(f"event: {event}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    if data is not None:
        lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


class _Open:
    __slots__ = ("task", "sending", "ended")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.sending = True
        self.ended = False

    def end(self) -> None:
        """Stop the stream where it waits: the client or the server has gone."""
        if self.sending and not self.ended:
            self.ended = True
            self.task.cancel()


_open: set[_Open] = set()
_watcher: asyncio.Task[None] | None = None
HANDOFF = "auftrag.event_stream"


class StreamHandoff:
    """The outermost layer: sends the body of an event stream whose start went through."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A list, not a value: inner layers may copy the scope, never the list in it.
        handed: list[EventStream] = []
        scope[HANDOFF] = handed
        await self.app(scope, receive, send)
        if handed:
            await handed[0].stream(receive, send)


class EventStream(Response):
    """A 200 with the chunks `events` yields, until it ends or the client leaves."""

    def __init__(self, events: AsyncIterator[bytes], headers: dict[str, str] | None = None) -> None:
        self.events = events
        self.status_code = 200
        self.extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS + self.extra})
        handoff = scope.get(HANDOFF)
        if handoff is not None:
            handoff.append(self)
            return
        await self.stream(receive, send)

    async def stream(self, receive: Receive, send: Send) -> None:
        """The body: every chunk of `events`, until they end or the client leaves."""
        task = asyncio.current_task()
        assert task is not None
        stream = _Open(task)
        leaving = asyncio.create_task(_until_the_client_leaves(receive, stream))
        _open.add(stream)
        _watch_the_server()
        try:
            async for chunk in self.events:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except asyncio.CancelledError:
            if not stream.ended:
                raise
            task.uncancel()
        finally:
            stream.sending = False
            _open.discard(stream)
            leaving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await leaving
            await self.events.aclose()  # type: ignore[attr-defined]
        with contextlib.suppress(OSError):
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_the_client_leaves(receive: Receive, stream: _Open) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    stream.end()


def _uvicorn_exiting() -> bool:
    """Whether uvicorn is shutting down: its signal handler is a method of its server."""
    handler = signal.getsignal(signal.SIGTERM)
    server = getattr(handler, "__self__", None)
    return bool(getattr(server, "should_exit", False))


def _watch_the_server() -> None:
    global _watcher
    loop = asyncio.get_running_loop()
    if _watcher is None or _watcher.done() or _watcher.get_loop() is not loop:
        _watcher = loop.create_task(_end_all_on_shutdown())


async def _end_all_on_shutdown() -> None:
    """While streams are open, look twice a second whether the server is stopping."""
    while _open:
        if _uvicorn_exiting():
            for stream in list(_open):
                stream.end()
            return
        await asyncio.sleep(0.5)


def open_streams() -> int:
    """Streams this process is sending: what a closed connection must not leave behind."""
    return len(_open)
