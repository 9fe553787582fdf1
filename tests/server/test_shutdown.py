"""The app's shutdown ends in bounded time, whatever one of its steps does."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from notifications.jobs import InProcessJobs
from participation import db
from server import shutdown
from server.app import create_app
from server.settings import Settings


async def test_a_stuck_shutdown_step_is_forced_and_the_later_ones_still_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    released = asyncio.Event()

    async def stuck(self: InProcessJobs) -> None:
        # As deaf to cancellation as a step can be, until the test lets it go.
        while not released.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await released.wait()

    closed: list[bool] = []
    close = db.close

    async def record_close() -> None:
        closed.append(True)
        await close()

    monkeypatch.setattr(InProcessJobs, "close", stuck)
    monkeypatch.setattr(shutdown, "STEP_SECONDS", 0.2)
    monkeypatch.setattr(db, "close", record_close)
    app = create_app(settings)
    try:
        async with asyncio.timeout(10):
            async with app.router.lifespan_context(app):
                stopping = time.monotonic()
    finally:
        released.set()
    assert time.monotonic() - stopping < 3
    assert closed, "the database was not closed after the stuck step"
    assert "shutdown: jobs took over" in caplog.text
    assert "shutdown: jobs did not end when forced" in caplog.text
