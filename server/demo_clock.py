"""A moved clock for the demo's year of history, and the stories told on it in order.

The demo towns' year is written by the real commands at the moments it tells of: the
domain's clock (`participation.clock.now`) and the ORM's (for `auto_now_add` columns) both
read the story's moment, so due dates, kept or missed promises, invitation times and every
created_at come out as they would have. The moment is held in a context variable, so when
the demo is seeded inside a running app (the browser tests do), the app's own tasks keep
the real time. Each story is an async generator that yields the moment of its next step;
the stories of all towns are played interleaved, earliest step first, so ids grow with
time as they do on a real deployment.
"""

from __future__ import annotations

import heapq
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from tortoise import timezone

from participation import clock

Story = AsyncGenerator[datetime, None]

_moment: ContextVar[datetime | None] = ContextVar("demo_moment", default=None)


@contextmanager
def moved_clock(moment: datetime) -> Iterator[None]:
    """Both clocks read `moment` in this task until the block ends."""
    real_domain, real_orm = clock.now, timezone.now

    def domain() -> datetime:
        moved = _moment.get()
        return real_domain() if moved is None else moved

    def orm() -> datetime:
        moved = _moment.get()
        return real_orm() if moved is None else moved

    token = _moment.set(moment)
    clock.now, timezone.now = domain, orm
    try:
        yield
    finally:
        clock.now, timezone.now = real_domain, real_orm
        _moment.reset(token)


async def play(stories: list[Story], until: datetime) -> None:
    """Run every story's steps in the order of their moments; a story whose next step
    would be at or after `until` ends there, as it has not happened yet."""
    waiting: list[tuple[datetime, int]] = []
    for number, story in enumerate(stories):
        await _wait(waiting, stories, number, await anext(story), until)
    while waiting:
        moment, number = heapq.heappop(waiting)
        with moved_clock(moment):
            try:
                following = await anext(stories[number])
            except StopAsyncIteration:
                continue
        if following < moment:
            raise ValueError(f"story {number} goes back in time to {following}")
        await _wait(waiting, stories, number, following, until)


async def _wait(
    waiting: list[tuple[datetime, int]],
    stories: list[Story],
    number: int,
    moment: datetime,
    until: datetime,
) -> None:
    if moment >= until:
        await stories[number].aclose()
        return
    # A story waits for one step at a time; at the same moment, the earlier story first.
    heapq.heappush(waiting, (moment, number))
