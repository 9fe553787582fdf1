"""The live bus: in-process fan-out, and Redis pub/sub between web processes."""

from __future__ import annotations

import asyncio
import contextlib
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
    bearer_token,
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
        for n in range(64):
            await bus.publish("mandate:7", {"mandate_id": 7, "type": "count", "count": n})
        assert not queue.overflowed
        for n in range(64, 100):
            await bus.publish("mandate:7", {"mandate_id": 7, "type": "count", "count": n})
        # It says so, for readers that cannot do without a message they missed.
        assert queue.overflowed
        assert bus.subscriber_count("mandate:7") == bus.subscriber_count() == 1
        received = [queue.get_nowait()["count"] for _ in range(queue.qsize())]
    assert received == list(range(36, 100))
    assert bus.subscriber_count("mandate:7") == bus.subscriber_count() == 0


async def test_one_timer_keeps_every_subscriber_alive_while_there_are_any(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from participation.live import bus as live_bus

    monkeypatch.setattr(live_bus, "KEEPALIVE_SECONDS", 0.02)
    bus = LocalBus()
    async with bus.subscribe("mandate:1") as one, bus.subscribe("mandate:2") as two:
        async with asyncio.timeout(2):
            assert await one.get() == {"type": "keepalive"}
            assert await two.get() == {"type": "keepalive"}
            assert await one.get() == {"type": "keepalive"}  # and again
    assert bus._keepalive is None  # the last one left: no timer stays behind


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


async def test_clients_that_leave_the_stream_leave_no_subscriber_task_or_queue(
    database_url: str, tmp_path: Path
) -> None:
    """Against a real uvicorn server: 25 clients follow a mandate, then hang up."""
    import gc

    import uvicorn

    from participation.live.bus import Inbox
    from tests.support import free_port

    app = create_app(make_settings(database_url, tmp_path / "var"))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn announces it no other way
                await asyncio.sleep(0.02)
        town = await factories.municipality(quorum=10)
        mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
        topic = topics.mandate(mandate.id)
        bus = app.state.bus
        url = f"http://127.0.0.1:{port}/api/v1/mandates/{mandate.id}/timeline/stream"
        # sse-starlette starts one shutdown watcher per event loop, with the first stream.
        async with httpx.AsyncClient(timeout=10) as http, http.stream("GET", url) as response:
            await EventReader(response).until(has_event("count"))
        before = asyncio.all_tasks()
        for _round in range(2):
            async with contextlib.AsyncExitStack() as stack:
                readers = []
                for _ in range(25):
                    http = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
                    response = await stack.enter_async_context(http.stream("GET", url))
                    readers.append(EventReader(response))
                for reader in readers:
                    await reader.until(has_event("count"))
                assert bus.subscriber_count(topic) == 25
                for reader in readers:
                    await reader.aclose()
            # The clients are gone: so must be their subscriptions and the streams' tasks.
            async with asyncio.timeout(5):
                while bus.subscriber_count() or asyncio.all_tasks() - before:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
        gc.collect()
        assert not [o for o in gc.get_objects() if isinstance(o, Inbox)]
        # The stream still works for the next reader.
        async with httpx.AsyncClient(timeout=10) as http, http.stream("GET", url) as response:
            reader = EventReader(response)
            await reader.until(has_event("count", signature_count=1))
            await reader.aclose()
    finally:
        server.should_exit = True
        await serving


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
async def test_an_answer_through_process_b_reaches_a_stream_on_process_a(
    database: str, tmp_path: Path
) -> None:
    """Two real web processes on one PostgreSQL and one Redis, as behind a load balancer."""
    assert REDIS_URL is not None
    settings = make_settings(database, tmp_path)
    environment = server_environment(
        DATABASE_URL=database,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=settings.secret_key,
        PYTHONWARNINGS="ignore",
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    web_a = ServerProcess([], cwd=tmp_path / "a", env={**environment, "AUFTRAG_VAR_DIR": "var"})
    web_b = ServerProcess([], cwd=tmp_path / "b", env={**environment, "AUFTRAG_VAR_DIR": "var"})
    try:
        town = await factories.municipality(quorum=3)
        council = await factories.council_member(town)
        mandate = await factories.mandate(await factories.person(), town, Status.SUBMITTED)
        await web_a.wait_until_healthy()
        await web_b.wait_until_healthy()
        url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
        async with (
            httpx.AsyncClient(base_url=web_a.base, timeout=10) as client_a,
            httpx.AsyncClient(base_url=web_b.base, timeout=10) as client_b,
            client_a.stream("GET", url) as stream,
        ):
            assert stream.status_code == 200
            reader = EventReader(stream)
            backlog = await reader.until(has_event("count"))
            assert not any(e.json().get("kind") == "response" for e in backlog)
            answered = await client_b.post(
                f"/api/v1/mandates/{mandate.id}/responses",
                json={"kind": "first_answer", "body": "Wir prüfen das **sofort**."},
                headers={"Authorization": f"Bearer {bearer_token(settings, council)}"},
            )
            assert answered.status_code == 201, answered.text
            started = asyncio.get_running_loop().time()
            live = await reader.until(has_event("timeline", kind="response"), within=5)
            kinds = [e.json()["kind"] for e in live if e.event == "timeline"]
            # The first answer also acknowledged the mandate, in the same transaction.
            assert kinds == ["status", "response"]
            entry = next(
                e for e in live if e.event == "timeline" and e.json()["kind"] == "response"
            )
            assert "<strong>sofort</strong>" in entry.json()["data"]["body_html"]
            assert entry.json()["data"]["role"] == "council"
            assert asyncio.get_running_loop().time() - started < 5
            await reader.aclose()
    finally:
        await web_a.stop()
        await web_b.stop()
