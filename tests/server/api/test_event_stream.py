"""The lean Server-Sent Events response: its format, its pings, and its ends."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from participation.live import bus
from participation.mandates.models import Status
from server.api.event_stream import encode, open_streams
from server.app import create_app
from tests import factories
from tests.support import EventReader, StreamingASGITransport, free_port, has_event, make_settings


def test_events_are_written_in_the_text_event_stream_format() -> None:
    assert encode(event="count", data='{"n": 1}') == b'event: count\ndata: {"n": 1}\n\n'
    assert encode(event="timeline", id="7", data="a\nb") == (
        b"id: 7\nevent: timeline\ndata: a\ndata: b\n\n"
    )
    assert encode(retry=5000) == b"retry: 5000\n\n"


async def test_a_quiet_stream_pings_so_proxies_keep_it_open(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bus, "KEEPALIVE_SECONDS", 0.05)
    town = await factories.municipality(quorum=10)
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    transport = StreamingASGITransport(app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        http.stream("GET", f"/api/v1/mandates/{mandate.id}/timeline/stream") as response,
    ):
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        lines = response.aiter_lines()
        pings = 0
        async with asyncio.timeout(5):
            async for line in lines:
                pings += line == ": ping"
                if pings == 2:
                    break
        await lines.aclose()  # type: ignore[attr-defined]
    assert open_streams() == 0


async def test_streams_end_when_the_server_shuts_down(database_url: str, tmp_path: Path) -> None:
    """A deploy does not wait out uvicorn's grace period for readers that never leave."""
    import uvicorn

    app = create_app(make_settings(database_url, tmp_path / "var"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=30
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn announces it no other way
                await asyncio.sleep(0.02)
        town = await factories.municipality(quorum=10)
        mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
        url = f"http://127.0.0.1:{port}/api/v1/mandates/{mandate.id}/timeline/stream"
        async with httpx.AsyncClient(timeout=10) as http, http.stream("GET", url) as response:
            reader = EventReader(response)
            await reader.until(has_event("count"))
            assert open_streams() == 1
            server.should_exit = True
            started = asyncio.get_running_loop().time()
            with pytest.raises(AssertionError, match="the event stream ended"):
                await reader.until(lambda events: False, within=5)
            async with asyncio.timeout(5):
                await serving
            assert asyncio.get_running_loop().time() - started < 3
    finally:
        server.should_exit = True
        await serving
