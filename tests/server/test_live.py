"""The live bus: in-process fan-out, and Redis pub/sub between web processes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from participation.actors import Actor
from participation.live import topics
from participation.live.bus import LocalBus, RedisBus, make_bus
from participation.mandates.models import Status
from server.app import create_app
from tests import factories
from tests.conftest import REDIS_URL
from tests.support import (
    EventReader,
    ServerProcess,
    has_event,
    make_settings,
    server_environment,
)


async def test_local_bus_delivers_to_the_subscribers_of_that_mandate() -> None:
    bus = LocalBus()
    async with (
        bus.subscribe("mandate:1") as first,
        bus.subscribe("mandate:1") as second,
        bus.subscribe("mandate:2") as other,
    ):
        await bus.publish("mandate:1", {"mandate_id": 1, "type": "count", "count": 3})
        assert first.get_nowait() == {"mandate_id": 1, "type": "count", "count": 3}
        assert second.get_nowait()["count"] == 3
        assert other.empty()
    # Nobody listens any more; publishing is harmless.
    await bus.publish("mandate:1", {"mandate_id": 1, "type": "count", "count": 4})


async def test_local_bus_keeps_the_newest_messages_for_a_slow_client() -> None:
    bus = LocalBus()
    async with bus.subscribe("mandate:7") as queue:
        for n in range(100):
            await bus.publish("mandate:7", {"mandate_id": 7, "type": "count", "count": n})
        received = [queue.get_nowait()["count"] for _ in range(queue.qsize())]
    assert received == list(range(36, 100))


def test_the_bus_is_redis_only_when_configured() -> None:
    assert type(make_bus(None)) is LocalBus
    assert type(make_bus("redis://127.0.0.1:6379/0")) is RedisBus


@pytest.mark.redis
async def test_two_redis_buses_both_receive_what_one_publishes() -> None:
    assert REDIS_URL is not None
    mandate_id = random.randrange(10**9, 2 * 10**9)  # the channel is shared; avoid strangers
    web1, web2 = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    await web1.start()
    await web2.start()
    try:
        async with (
            web1.subscribe(topics.mandate(mandate_id)) as one,
            web2.subscribe(topics.mandate(mandate_id)) as two,
        ):
            message = {"mandate_id": mandate_id, "type": "count", "count": 42}
            await web1.publish(topics.mandate(mandate_id), message)
            async with asyncio.timeout(5):
                assert await one.get() == message
                assert await two.get() == message
    finally:
        await web1.stop()
        await web2.stop()


@pytest.mark.redis
async def test_a_signature_on_one_web_process_reaches_a_stream_on_another(
    database_url: str, tmp_path: Path, auth: Callable[[Actor], dict[str, str]]
) -> None:
    """Web process A (in this test) takes the signature; B (a real server) streams it."""
    assert REDIS_URL is not None
    settings = make_settings(database_url, tmp_path / "a", redis_url=REDIS_URL)
    web_a = create_app(settings)
    web_b = ServerProcess(
        [],
        cwd=tmp_path,
        env=server_environment(
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            SECRET_KEY=settings.secret_key,
            AUFTRAG_VAR_DIR=str(tmp_path / "b"),
        ),
    )
    try:
        async with web_a.router.lifespan_context(web_a):
            town = await factories.municipality(quorum=10)
            initiator = await factories.person()
            mandate = await factories.mandate(initiator, town, Status.COLLECTING)
            await web_b.wait_until_healthy()
            transport = httpx.ASGITransport(app=web_a)
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://a") as client_a,
                httpx.AsyncClient(base_url=web_b.base, timeout=10) as client_b,
                client_b.stream("GET", f"/api/v1/mandates/{mandate.id}/timeline/stream") as stream,
            ):
                assert stream.status_code == 200
                reader = EventReader(stream)
                await reader.until(has_event("count", signature_count=1))
                # B listens on Redis: a message published there by anyone reaches its stream.
                probe = RedisBus(REDIS_URL)
                await probe.start()
                try:
                    await probe.publish(
                        topics.mandate(mandate.id),
                        {"mandate_id": mandate.id, "type": "count", "count": -7},
                    )
                finally:
                    await probe.stop()
                await reader.until(has_event("count", signature_count=-7))
                # And a co-signature taken by A shows up on B's stream.
                signer = await factories.person()
                signed = await client_a.post(
                    f"/api/v1/mandates/{mandate.id}/signatures", headers=auth(signer)
                )
                assert signed.status_code == 201
                await reader.until(has_event("count", signature_count=2))
                await reader.aclose()
    finally:
        await web_b.stop()
