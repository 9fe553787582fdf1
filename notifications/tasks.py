"""Job functions, run by arq workers or by the in-process runner with the same signature.

Besides sending mail, every clock job an area declares is a task under its own name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from arq.typing import WorkerCoroutine

from notifications.mail import Mail
from participation import areas
from participation.areas import ClockJob

Task = Callable[..., Awaitable[object]]


async def send_email(
    ctx: dict[str, Any], to: str, subject: str, text: str, html: str | None
) -> None:
    await ctx["mailer"].send(Mail(to=to, subject=subject, text=text, html=html))


def clock_task(job: ClockJob) -> WorkerCoroutine:
    """The job as a task: arq passes its context, which the job does not need."""

    async def run(ctx: dict[str, Any]) -> object:
        return await job.function()

    run.__name__ = run.__qualname__ = job.name
    return cast(WorkerCoroutine, run)


def functions() -> dict[str, Task]:
    """Every task by name: sending mail and the areas' clock jobs."""
    tasks: dict[str, Task] = {"send_email": send_email}
    for job in areas.clock_jobs():
        tasks[job.name] = clock_task(job)
    return tasks
