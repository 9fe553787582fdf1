"""Shutting down within bounds: a stuck step is forced, logged, and the next one runs.

A process that never finishes its shutdown is worse than one that cuts a connection
short: deploys and CI wait on it for as long as it hangs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Each step normally takes milliseconds; a mail in flight may need a few seconds.
STEP_SECONDS = 10.0


async def bounded(
    name: str, step: Awaitable[object], force: Callable[[], object] | None = None
) -> None:
    """Await `step` for at most STEP_SECONDS; then cancel it and call `force`."""
    task = asyncio.ensure_future(step)
    # asyncio.wait never cancels or waits out a cancellation, so this returns in time
    # even if the step ignores being cancelled.
    done, _ = await asyncio.wait({task}, timeout=STEP_SECONDS)
    if not done:
        log.warning("shutdown: %s took over %.0f s; forcing it", name, STEP_SECONDS)
        task.cancel()
        if force is not None:
            force()
        done, _ = await asyncio.wait({task}, timeout=STEP_SECONDS)
        if not done:
            log.error("shutdown: %s did not end when forced; leaving it behind", name)
            return
    if not task.cancelled() and task.exception() is not None:
        log.error("shutdown: %s failed", name, exc_info=task.exception())
