"""The live bus: delivers "this topic changed" to every open event stream on every process.

A topic is a string naming what a reader follows (see `topics`): "mandate:42",
"user:9:inbox". A subscriber gets the messages published to its topic only.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

CHANNEL = "auftrag:live:{database}"
QUEUE_SIZE = 64
# Every subscriber hears this now and then, so a stream can keep its connection open
# (proxies close idle ones) without a timer of its own around every wait.
KEEPALIVE_SECONDS = 15.0
KEEPALIVE: dict[str, Any] = {"type": "keepalive"}


class Inbox:
    """One subscriber's messages, the newest QUEUE_SIZE of them: a slow client only needs
    the newest state. `overflowed` says some were dropped since it was reset, so a reader
    that relies on every message (new timeline entries) reads the database instead.

    Smaller than an asyncio.Queue (one deque and one waiter, no locks or events): ten
    thousand open streams hold one each.
    """

    __slots__ = ("_items", "_waiter", "maxsize", "overflowed")

    def __init__(self, maxsize: int = QUEUE_SIZE) -> None:
        self._items: collections.deque[dict[str, Any]] = collections.deque(maxlen=maxsize)
        self._waiter: asyncio.Future[None] | None = None
        self.maxsize = maxsize
        self.overflowed = False

    def put_nowait(self, message: dict[str, Any]) -> None:
        if len(self._items) == self.maxsize:
            self.overflowed = True  # the deque drops its oldest as this one goes in
        self._items.append(message)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> dict[str, Any]:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def get_nowait(self) -> dict[str, Any]:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return len(self._items) == self.maxsize


class LocalBus:
    """In-process fan-out; enough when one process serves every stream.

    Every subscriber of a topic gets the same message object: readers must not change it.
    """

    def __init__(self) -> None:
        self._queues: dict[str, set[Inbox]] = {}
        self._keepalive: asyncio.TimerHandle | None = None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        self._deliver(topic, message)

    def _deliver(self, topic: str, message: dict[str, Any]) -> None:
        for queue in self._queues.get(topic, ()):
            queue.put_nowait(message)

    def subscriber_count(self, topic: str | None = None) -> int:
        """Open subscriptions to `topic`, or to any topic: what a closed stream must leave."""
        if topic is not None:
            return len(self._queues.get(topic, ()))
        return sum(len(queues) for queues in self._queues.values())

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Inbox]:
        queue = Inbox(maxsize=QUEUE_SIZE)
        self._queues.setdefault(topic, set()).add(queue)
        self._keep_alive_later()
        try:
            yield queue
        finally:
            subscribers = self._queues.get(topic, set())
            subscribers.discard(queue)
            if not subscribers:
                self._queues.pop(topic, None)
            if not self._queues and self._keepalive is not None:
                self._keepalive.cancel()
                self._keepalive = None

    def _keep_alive_later(self) -> None:
        if self._keepalive is None:
            loop = asyncio.get_running_loop()
            self._keepalive = loop.call_later(KEEPALIVE_SECONDS, self._keep_alive)

    def _keep_alive(self) -> None:
        """One timer per process for every subscriber, not one per subscriber."""
        self._keepalive = None
        if not self._queues:
            return
        for queues in list(self._queues.values()):
            for queue in queues:
                queue.put_nowait(KEEPALIVE)
        self._keep_alive_later()


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
