"""Redis going away: the web keeps serving and loses no job, and delivery through the
worker resumes when Redis is back. Redis is reached through a proxy the test can cut."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from notifications.models import MailboxMessage
from server.app import create_app
from tests.conftest import REDIS_URL
from tests.support import AUFTRAG, SECRET_KEY, eventually, make_settings, server_environment

pytestmark = pytest.mark.redis

OUTAGE = 4.0


class Cable:
    """A TCP proxy in front of the real Redis: `cut()` drops every connection and refuses
    new ones, `mend()` listens again on the same port."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.database = parts.path or "/0"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[object]] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{self.database}"

    async def mend(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await asyncio.wait_for(asyncio.gather(*self._pipes, return_exceptions=True), 5)
        await self._server.wait_closed()
        self._server = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        task.add_done_callback(self._pipes.discard)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, upstream_writer}

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}


@pytest.fixture
async def cable() -> AsyncIterator[Cable]:
    cable = Cable(REDIS_URL or "redis://127.0.0.1:6379/0")
    await cable.mend()
    yield cable
    if cable._server is not None:
        await cable.cut()


async def _sign_in(client: httpx.AsyncClient, email: str) -> int:
    page = await client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    sent = await client.post("/sign-in", data={"csrf_token": token, "email": email})
    return sent.status_code


@pytest.fixture
def worker(cable: Cable, database_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = server_environment(
        DATABASE_URL=database_url, REDIS_URL=cable.url, SECRET_KEY=SECRET_KEY, AUFTRAG_DEBUG="1"
    )
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [str(AUFTRAG), "worker"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


async def test_the_web_serves_without_redis_and_delivery_resumes_when_it_returns(
    cable: Cable, worker: subprocess.Popen[bytes], database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path / "var", redis_url=cable.url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:

            async def arrived(email: str) -> bool:
                return await MailboxMessage.filter(to=email).exists()

            assert await _sign_in(client, "before@example.org") == 200
            await eventually(lambda: arrived("before@example.org"), within=30)

            await cable.cut()
            assert (await client.get("/")).status_code == 200
            # The job cannot reach Redis: this process sends the mail itself.
            assert await _sign_in(client, "during@example.org") == 200
            await eventually(lambda: arrived("during@example.org"), within=30)
            # Long enough for the worker to find Redis gone; it must wait, not exit.
            await asyncio.sleep(OUTAGE)
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()

            await cable.mend()
            assert await _sign_in(client, "after@example.org") == 200
            await eventually(lambda: arrived("after@example.org"), within=60)
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            # Sent once each: during the outage by the web process, else by the worker.
            for email in ("before@example.org", "during@example.org", "after@example.org"):
                assert await MailboxMessage.filter(to=email).count() == 1
