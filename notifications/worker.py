"""The arq worker: runs jobs from Redis, expires mandates and moves votes along each minute,
prunes the outbox each hour, runs the outbox's consumers."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.connections import RedisSettings

from notifications.mail import make_mailer
from notifications.tasks import advance_votes, expire_mandates, prune_events, send_email
from participation.live import publisher
from participation.live.bus import RedisBus
from participation.outbox import consumers
from server import db
from server.settings import Settings


async def startup(ctx: dict[str, Any]) -> None:
    settings = Settings.from_env()
    await db.init(settings.database_url, settings.db_timeout)
    ctx["mailer"] = make_mailer(settings.smtp_url, settings.mail_from)
    ctx["bus"] = RedisBus(settings.redis_url or "redis://127.0.0.1:6379")
    await ctx["bus"].start()
    consumers.register(publisher.LIVE)
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
        "functions": [send_email, expire_mandates, advance_votes, prune_events],
        "cron_jobs": [
            cron(expire_mandates, second=0, unique=True, timeout=50),
            # Counting a large vote may take minutes; unique keeps runs from overlapping.
            cron(advance_votes, second=0, unique=True, timeout=600),
            cron(prune_events, minute=17, second=0, unique=True, timeout=600),
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "job_timeout": 60,
        "max_tries": 5,
        "health_check_interval": 30,
    }
