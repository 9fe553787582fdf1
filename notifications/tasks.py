"""Job functions, run by arq workers or by the in-process runner with the same semantics.

Every job is a `Task`: sending mail, the areas' tasks, and each clock job under its own
name. One try is bounded by the task's timeout; a failed try is tried again after a
backoff that doubles; after the last try the job becomes a dead letter with its
arguments, so an administrator can send it again. `attempt` is that rule, shared by
both runners.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from notifications import deadletters
from notifications.mail import Mail
from participation import areas
from participation.areas import ClockJob, Task

log = logging.getLogger(__name__)

# Seconds before the second try; each further one waits twice as long, up to the most.
BACKOFF_BASE = 10.0
BACKOFF_MAX = 600.0
# A clock job runs again at its next minute anyway: one more try is enough.
CLOCK_TRIES = 2

Function = Callable[..., Awaitable[object]]


async def send_email(
    ctx: dict[str, Any],
    to: str,
    subject: str,
    text: str,
    html: str | None,
    municipality_id: int | None = None,
) -> None:
    """`municipality_id`, when the mail is on a municipality's behalf, shows its
    administrators the mail if it fails for good."""
    await ctx["mailer"].send(Mail(to=to, subject=subject, text=text, html=html))


SEND_EMAIL = Task("send_email", send_email, timeout=30, tries=5)


def clock_task(job: ClockJob) -> Task:
    """The clock job as a task: it takes no context and no arguments."""

    async def run(ctx: dict[str, Any]) -> object:
        return await job.function()

    run.__name__ = run.__qualname__ = job.name
    return Task(job.name, run, timeout=job.timeout, tries=CLOCK_TRIES)


def registered() -> dict[str, Task]:
    """Every task by name: sending mail, the areas' tasks and their clock jobs."""
    found: dict[str, Task] = {SEND_EMAIL.name: SEND_EMAIL}
    for task in areas.tasks():
        found[task.name] = task
    for job in areas.clock_jobs():
        found[job.name] = clock_task(job)
    return found


def backoff(number: int) -> float:
    """Seconds to wait after failed try `number` (1 for the first)."""
    return min(BACKOFF_BASE * 2 ** (number - 1), BACKOFF_MAX)


def municipality_of(kwargs: dict[str, Any]) -> int | None:
    """The municipality a job is for, when its arguments say so: its administrators see it."""
    value = kwargs.get("municipality_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def describe(exc: BaseException, task: Task) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {task.timeout:g} s"
    return "".join(traceback.format_exception(exc)).strip()


async def attempt(
    task: Task, ctx: dict[str, Any], kwargs: dict[str, Any], number: int
) -> float | None:
    """Run try `number` of the job; returns the seconds to wait before the next try, or
    None when there is none: it succeeded, or it failed for good and is a dead letter."""
    try:
        async with asyncio.timeout(task.timeout):
            await task.function(ctx, **kwargs)
        return None
    except Exception as exc:
        if number < task.tries:
            delay = backoff(number)
            log.warning(
                "job %s failed on try %d (%r); again in %g s", task.name, number, exc, delay
            )
            return delay
        await deadletters.record(
            task.name, kwargs, describe(exc, task), number, municipality_of(kwargs)
        )
        return None


async def perform(task: Task, ctx: dict[str, Any], kwargs: dict[str, Any]) -> None:
    """Every try of the job in this process, waiting out the backoff between them."""
    number = 1
    while (delay := await attempt(task, ctx, kwargs, number)) is not None:
        await asyncio.sleep(delay)
        number += 1
