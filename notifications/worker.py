"""The arq worker: runs jobs from Redis, runs the areas' clock jobs, runs the outbox's
consumers.

arq gives each job one try more than the task allows: that extra try only comes when
the worker died during the last real one (its lease ran out), and turns the job into a
dead letter instead of arq dropping it with "max retries exceeded".
"""

from __future__ import annotations

from typing import Any

from arq import Retry, cron
from arq.connections import RedisSettings
from arq.worker import Function, func
from redis.asyncio.retry import Retry as RedisRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from notifications import deadletters, tasks
from notifications.jobs import ArqJobs
from notifications.mail import NOT_SENT, ConsoleMailer, make_mailer
from participation import areas, db
from participation.areas import Task
from participation.environment import Services
from participation.live.bus import RedisBus
from participation.outbox import consumers

# arq's own timeout is a backstop behind the task's, which ends a try cleanly.
TIMEOUT_MARGIN = 10.0
# While Redis is away the worker waits for it, retrying each command for about ten
# minutes, instead of exiting: arq lets a lost connection end its loop.
REDIS_RETRIES = 60
REDIS_BACKOFF_CAP = 10.0


async def startup(ctx: dict[str, Any]) -> None:
    services = Services.from_env()
    await db.init(services.database_url, services.db_timeout)
    ctx["mailer"] = make_mailer(services.smtp_url, services.mail_from, services.dev_mailbox)
    if isinstance(ctx["mailer"], ConsoleMailer):
        print(f"Warning: {NOT_SENT}", flush=True)
    ctx["bus"] = RedisBus(services.redis_url or "redis://127.0.0.1:6379")
    await ctx["bus"].start()
    # The dispatcher enqueues the sending of the emails it created on arq's own pool.
    ctx["jobs"] = ArqJobs(ctx["redis"], {"mailer": ctx["mailer"]}, owned=False)
    ctx["runners"] = consumers.runners({"bus": ctx["bus"], "jobs": ctx["jobs"]})
    for runner in ctx["runners"]:
        runner.start()


async def shutdown(ctx: dict[str, Any]) -> None:
    for runner in ctx["runners"]:
        await runner.stop()
    await ctx["jobs"].close()
    await ctx["bus"].stop()
    await ctx["mailer"].close()
    await db.close()


def on_arq(task: Task) -> Any:
    """The task as arq runs it: a failed try raises Retry with the backoff as its delay."""

    async def run(ctx: dict[str, Any], **kwargs: Any) -> None:
        number = ctx["job_try"]
        if number > task.tries:
            await deadletters.record(
                task.name,
                kwargs,
                "the worker stopped during the last try",
                task.tries,
                tasks.municipality_of(kwargs),
            )
            return
        delay = await tasks.attempt(task, ctx, kwargs, number)
        if delay is not None:
            raise Retry(defer=delay)

    run.__name__ = run.__qualname__ = task.name
    return run


def arq_function(task: Task) -> Function:
    return func(
        on_arq(task),
        name=task.name,
        max_tries=task.tries + 1,
        timeout=task.timeout + TIMEOUT_MARGIN,
    )


def redis_settings(redis_url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(redis_url)
    settings.retry = RedisRetry(ExponentialBackoff(cap=REDIS_BACKOFF_CAP), REDIS_RETRIES)
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, OSError]
    return settings


def worker_settings(redis_url: str) -> dict[str, Any]:
    registered = tasks.registered()
    return {
        "functions": [arq_function(task) for task in registered.values()],
        # unique keeps runs from overlapping when one outlasts the minute.
        "cron_jobs": [
            cron(
                on_arq(registered[job.name]),
                name=f"cron:{job.name}",
                minute=job.minutes,
                second=0,
                unique=True,
                timeout=job.timeout + TIMEOUT_MARGIN,
                max_tries=tasks.CLOCK_TRIES + 1,
            )
            for job in areas.clock_jobs()
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": redis_settings(redis_url),
        "health_check_interval": 30,
    }
