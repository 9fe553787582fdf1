"""The live bus: delivers "this topic changed" to every open event stream on every process.

A topic is a string naming what a reader follows (see `topics`): "mandate:42",
"user:9:inbox". A subscriber gets the messages published to its topic only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

CHANNEL = "auftrag:live:{database}"
QUEUE_SIZE = 64


class LocalBus:
    """In-process fan-out; enough when one process serves every stream."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        self._deliver(topic, message)

    def _deliver(self, topic: str, message: dict[str, Any]) -> None:
        for queue in self._queues.get(topic, ()):
            if queue.full():
                # A slow client only needs the newest state; drop its oldest signal.
                queue.get_nowait()
            queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._queues.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            subscribers = self._queues.get(topic, set())
            subscribers.discard(queue)
            if not subscribers:
                self._queues.pop(topic, None)


class RedisBus(LocalBus):
    """Redis pub/sub between processes, fanned out locally by one listener per process.

    One channel carries every topic: a process hears all and hands each message to its
    own subscribers of that topic, so subscribing costs no round trip to Redis.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        # Pub/sub ignores Redis database numbers; name the channel after ours so two
        # deployments sharing one Redis server do not hear each other's counts.
        database = urlsplit(url).path.strip("/") or "0"
        self._channel = CHANNEL.format(database=database)
        self._listener: asyncio.Task[None] | None = None
        self._redis: Any = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(self._url)
        self._listener = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._channel, json.dumps({"topic": topic, "message": message}))

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    async for raw in pubsub.listen():
                        if raw.get("type") == "message":
                            signal = json.loads(raw["data"])
                            self._deliver(signal["topic"], signal["message"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live bus lost Redis; reconnecting")
                await asyncio.sleep(1)


def make_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
