"""The arq worker: runs jobs from Redis, runs the areas' clock jobs, runs the outbox's
consumers."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.connections import RedisSettings

from notifications.mail import make_mailer
from notifications.tasks import clock_task, functions
from participation import areas, db
from participation.environment import Services
from participation.live.bus import RedisBus
from participation.outbox import consumers


async def startup(ctx: dict[str, Any]) -> None:
    services = Services.from_env()
    await db.init(services.database_url, services.db_timeout)
    ctx["mailer"] = make_mailer(services.smtp_url, services.mail_from)
    ctx["bus"] = RedisBus(services.redis_url or "redis://127.0.0.1:6379")
    await ctx["bus"].start()
    ctx["runners"] = consumers.runners({"bus": ctx["bus"]})
    for runner in ctx["runners"]:
        runner.start()


async def shutdown(ctx: dict[str, Any]) -> None:
    for runner in ctx["runners"]:
        await runner.stop()
    await ctx["bus"].stop()
    await db.close()


def worker_settings(redis_url: str) -> dict[str, Any]:
    return {
        "functions": list(functions().values()),
        # unique keeps runs from overlapping when one outlasts the minute.
        "cron_jobs": [
            cron(clock_task(job), minute=job.minutes, second=0, unique=True, timeout=job.timeout)
            for job in areas.clock_jobs()
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "job_timeout": 60,
        "max_tries": 5,
        "health_check_interval": 30,
    }
