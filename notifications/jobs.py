"""Enqueueing jobs: onto arq when Redis is configured, else run in this process.

Either way a job gets the same tries, timeouts and dead letter (`notifications.tasks`).
When Redis cannot be reached, a job is not lost and the request that enqueued it does
not fail: it runs in this process instead, and the failure is logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from redis.exceptions import RedisError

from notifications import tasks

log = logging.getLogger(__name__)

CLOSE_SECONDS = 5.0


class Jobs(Protocol):
    async def enqueue(self, name: str, **kwargs: Any) -> None: ...

    async def close(self) -> None: ...


class InProcessJobs:
    """Runs the same task functions as background tasks of the web process."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self._tasks: set[asyncio.Task[Any]] = set()

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        task = tasks.registered().get(name)
        if task is None:
            log.error("no job is called %s; nothing enqueued", name)
            return
        running = asyncio.create_task(self._run(task, kwargs))
        self._tasks.add(running)
        running.add_done_callback(self._tasks.discard)

    async def _run(self, task: tasks.Task, kwargs: dict[str, Any]) -> None:
        try:
            await tasks.perform(task, self.ctx, kwargs)
        except Exception:
            # Only when even the dead letter could not be written.
            log.exception("job %s failed and could not be recorded", task.name)

    async def close(self) -> None:
        """Give running jobs a few seconds, then cancel them: shutdown must end."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=CLOSE_SECONDS)
        if pending:
            log.warning("cancelling %d job(s) still running at shutdown", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=1)


class ArqJobs:
    """Enqueues on Redis; `owned` says whether closing this closes the pool too."""

    def __init__(self, pool: Any, ctx: dict[str, Any], owned: bool = True) -> None:
        self.pool = pool
        self.owned = owned
        self.fallback = InProcessJobs(ctx)

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        if name not in tasks.registered():
            log.error("no job is called %s; nothing enqueued", name)
            return
        try:
            await self.pool.enqueue_job(name, **kwargs)
        except (RedisError, OSError) as exc:
            log.error("cannot enqueue job %s on Redis (%r); running it in this process", name, exc)
            await self.fallback.enqueue(name, **kwargs)

    async def close(self) -> None:
        await self.fallback.close()
        if self.owned:
            await self.pool.aclose()


async def make_jobs(redis_url: str | None, ctx: dict[str, Any]) -> Jobs:
    if not redis_url:
        return InProcessJobs(ctx)
    from arq import create_pool
    from arq.connections import RedisSettings

    return ArqJobs(await create_pool(RedisSettings.from_dsn(redis_url)), ctx)
