"""Enqueueing jobs: onto arq when Redis is configured, else run in this process."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from notifications.tasks import functions
from participation.outage import is_database_lost

log = logging.getLogger(__name__)

CLOSE_SECONDS = 5.0
ATTEMPTS = 5


class Jobs(Protocol):
    async def enqueue(self, name: str, **kwargs: Any) -> None: ...

    async def close(self) -> None: ...


class InProcessJobs:
    """Runs the same task functions as background tasks of the web process."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self._tasks: set[asyncio.Task[Any]] = set()

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        task = asyncio.create_task(self._run(name, kwargs))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, name: str, kwargs: dict[str, Any]) -> None:
        # Like arq's retries: a restarting database is back within seconds.
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await functions()[name](self.ctx, **kwargs)
                return
            except Exception as exc:
                if attempt == ATTEMPTS or not is_database_lost(exc):
                    log.exception("job %s failed", name)
                    return
                log.warning("job %s: connection lost (%s); retrying", name, exc)
            await asyncio.sleep(attempt)

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
    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        await self.pool.enqueue_job(name, **kwargs)

    async def close(self) -> None:
        await self.pool.aclose()


async def make_jobs(redis_url: str | None, ctx: dict[str, Any]) -> Jobs:
    if not redis_url:
        return InProcessJobs(ctx)
    from arq import create_pool
    from arq.connections import RedisSettings

    return ArqJobs(await create_pool(RedisSettings.from_dsn(redis_url)))
