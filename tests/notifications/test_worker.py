"""The production topology for jobs: the web app enqueues on Redis, `auftrag worker` runs them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from notifications.models import MailboxMessage
from server.app import create_app
from tests.conftest import REDIS_URL
from tests.support import AUFTRAG, SECRET_KEY, eventually, make_settings, server_environment

pytestmark = pytest.mark.redis


@pytest.fixture
def worker(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = server_environment(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL or "",
        SECRET_KEY=SECRET_KEY,
        # Mail without SMTP lands in the dev mailbox only in debug (or demo) mode.
        AUFTRAG_DEBUG="1",
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
        log.close()


async def test_sign_in_mail_travels_through_redis_and_the_worker(
    worker: subprocess.Popen, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path / "var", redis_url=REDIS_URL)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            page = await client.get("/sign-in")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            sent = await client.post(
                "/sign-in", data={"csrf_token": token, "email": "worker@example.org"}
            )
            assert sent.status_code == 200

        async def delivered() -> bool:
            assert worker.poll() is None, "the worker died"
            return await MailboxMessage.filter(to="worker@example.org").exists()

        await eventually(delivered, within=20)
    mail = await _first_mail(database_url)
    assert "/sign-in/link?token=" in mail


async def _first_mail(database_url: str) -> str:
    from participation import db

    await db.init(database_url)
    try:
        message = await MailboxMessage.filter(to="worker@example.org").first()
        assert message is not None
        return message.body
    finally:
        await db.close()
