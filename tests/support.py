"""Helpers for tests: settings and tokens, waiting on background effects, event streams.

httpx's own ASGITransport collects the whole response before returning it, which
never happens for an endless event stream; StreamingASGITransport hands the body
over chunk by chunk and tells the app the client left when the response is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

from participation.actors import Actor
from participation.files.storage import LocalStorage
from server.auth import issue_token
from server.settings import Settings

SECRET_KEY = "test-secret-key-" + "x" * 32


def make_settings(database_url: str, var_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "var_dir": var_dir,
        "database_url": database_url,
        "secret_key": SECRET_KEY,
        "redis_url": None,
        "smtp_url": None,
        "debug": True,
        "demo": False,
        # Tests sign and launch a lot; tests/server/test_limits.py turns the limits on.
        "rate_limits": "off",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def bearer_token(settings: Settings, person: Actor, lifetime: timedelta | None = None) -> str:
    """A token for the API session the factories open for every person."""
    assert person.session_id is not None, "make people with tests.factories.accounts.person"
    return issue_token(settings, person.user_id, person.session_id, lifetime or timedelta(hours=1))


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Wait until `check()` is true, for effects that background tasks produce."""
    try:
        async with asyncio.timeout(within):
            # Polling on purpose: the effect lives in the database, no event announces it.
            while not await check():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"condition not met within {within} s") from None


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(
        self,
        chunks: asyncio.Queue[bytes | None],
        task: asyncio.Task[None],
        disconnected: asyncio.Event,
    ) -> None:
        self._chunks = chunks
        self._task = task
        self._disconnected = disconnected

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self._chunks.get()
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        self._disconnected.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=5)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class StreamingASGITransport(httpx.AsyncBaseTransport):
    """Drive an ASGI app in-process and stream its response body as it is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join([chunk async for chunk in request.stream])  # type: ignore[union-attr]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port or 80),
            "client": ("127.0.0.1", 12345),
            "root_path": "",
        }
        started = asyncio.Event()
        disconnected = asyncio.Event()
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        head: dict[str, Any] = {}
        body_sent = False

        async def receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                head["status"] = message["status"]
                head["headers"] = message.get("headers", [])
                started.set()
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await chunks.put(message["body"])
                if not message.get("more_body", False):
                    await chunks.put(None)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            finally:
                await chunks.put(None)
                started.set()

        task = asyncio.create_task(run())
        await started.wait()
        if "status" not in head:
            await task  # the app failed before answering: raise its error here
            raise RuntimeError("the app returned without a response")
        return httpx.Response(
            head["status"],
            headers=head["headers"],
            stream=_ResponseStream(chunks, task, disconnected),
        )


@dataclass
class Event:
    event: str
    data: str
    id: str | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class EventReader:
    """Reads Server-Sent Events off one streamed response, skipping comments (pings)."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self) -> Event:
        fields: dict[str, str] = {}
        async for line in self._lines:
            if line == "":
                if "data" in fields:
                    return Event(fields.get("event", "message"), fields["data"], fields.get("id"))
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "data" and "data" in fields:
                    value = fields["data"] + "\n" + value
                fields[name] = value
        raise AssertionError("the event stream ended")

    async def until(self, stop: Callable[[list[Event]], bool], within: float = 10.0) -> list[Event]:
        """Events from here on until `stop(events)` holds."""
        events: list[Event] = []
        async with asyncio.timeout(within):
            while not stop(events):
                events.append(await self.next())
        return events

    async def aclose(self) -> None:
        await self._lines.aclose()  # type: ignore[attr-defined]


def has_event(event: str, **data: Any) -> Callable[[list[Event]], bool]:
    """A stop condition: an `event` whose JSON data contains `data`."""

    def stop(events: list[Event]) -> bool:
        return any(
            e.event == event and all(e.json().get(k) == v for k, v in data.items()) for e in events
        )

    return stop


def assert_problem(response: httpx.Response, status: int, fields: set[str] | None = None) -> dict:
    """An RFC 9457 problem with `status`, naming exactly `fields` when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    assert isinstance(body["errors"], list)
    if fields is not None:
        assert {e["field"] for e in body["errors"]} == fields, body["errors"]
        assert all(e["message"] for e in body["errors"])
    return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


AUFTRAG = Path(sys.executable).with_name("auftrag")
# Configuration the tests' own environment may carry that a started server must not inherit.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUFTRAG_VAR_DIR", "BASE_URL")


def server_environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(variables)
    return env


class ServerProcess:
    """`auftrag serve` as a subprocess, for tests that need a real, separate server."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        # The host name the server puts in its links and passkeys are bound to.
        self.base = f"http://localhost:{self.port}"
        self.log = cwd / f"server-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(AUFTRAG), "serve", "--port", str(self.port), *args],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_until_healthy(self, within: float = 90.0) -> None:
        # Generous: on a loaded two-core machine, migrating, seeding and starting the
        # render workers once took over 30 s; a healthy server answers at once.
        async with httpx.AsyncClient(base_url=self.base, timeout=2) as http:
            try:
                async with asyncio.timeout(within):
                    while True:
                        if self.process.poll() is not None:
                            raise AssertionError(f"server exited:\n{self.log.read_text()}")
                        try:
                            if (await http.get("/api/v1/health")).status_code == 200:
                                return
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.1)
            except TimeoutError:
                raise AssertionError(f"server not healthy:\n{self.log.read_text()}") from None

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait)


def stored_files(store: LocalStorage) -> list[Path]:
    """Every file in the store, the temporary folder of uploads under way excluded."""
    if not store.root.exists():
        return []
    return [p for p in store.root.rglob("*") if p.is_file() and "incoming" not in p.parts]
