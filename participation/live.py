"""The live bus: delivers "mandate X changed" to every open event stream on every process."""

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


class LocalBus:
    """In-process fan-out; enough when one process serves every stream."""

    def __init__(self) -> None:
        self._queues: dict[int, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, message: dict[str, Any]) -> None:
        self._deliver(message)

    def _deliver(self, message: dict[str, Any]) -> None:
        for queue in self._queues.get(message["mandate_id"], ()):
            if queue.full():
                # A slow client only needs the newest state; drop its oldest signal.
                queue.get_nowait()
            queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, mandate_id: int) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=64)
        self._queues.setdefault(mandate_id, set()).add(queue)
        try:
            yield queue
        finally:
            subscribers = self._queues.get(mandate_id, set())
            subscribers.discard(queue)
            if not subscribers:
                self._queues.pop(mandate_id, None)


class RedisBus(LocalBus):
    """Redis pub/sub between processes, fanned out locally by one listener per process."""

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

    async def publish(self, message: dict[str, Any]) -> None:
        await self._redis.publish(self._channel, json.dumps(message))

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    async for raw in pubsub.listen():
                        if raw.get("type") == "message":
                            self._deliver(json.loads(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live bus lost Redis; reconnecting")
                await asyncio.sleep(1)


def make_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()
