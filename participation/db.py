"""Tortoise ORM configuration shared by the app, the worker, the CLI and the migration tool.

The models are those the areas declare (participation.areas).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise import context as tortoise_context
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import connections
from tortoise.migrations.api import migrate as migrate_api

from participation import areas

MIGRATION_TIMEOUT = 3600.0


def _db_url(url: str, timeout: float, statement_timeout: float) -> str:
    """Bound connection set-up so an unreachable database fails fast instead of hanging."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if not url.startswith("postgres://"):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("timeout", str(max(1, int(timeout))))
    query.setdefault("command_timeout", str(max(1, int(statement_timeout))))
    query.setdefault("minsize", "1")
    query.setdefault("maxsize", "20")
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _keep_session(connection: Any) -> None:
    """Skip asyncpg's reset query on every pool release: the app sets no session state.

    asyncpg still rolls back a transaction left open before calling this.
    """


def _connection(
    database_url: str, timeout: float, statement_timeout: float
) -> str | dict[str, Any]:
    url = _db_url(database_url, timeout, statement_timeout)
    if not url.startswith("postgres://"):
        return url
    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    return config


def tortoise_config(
    database_url: str, timeout: float = 5.0, statement_timeout: float | None = None
) -> dict[str, Any]:
    """`timeout` bounds connecting and, unless `statement_timeout` says otherwise, each
    statement: a database that stops answering must turn into a 503, not a hung request."""
    statement_timeout = timeout if statement_timeout is None else statement_timeout
    return {
        "connections": {"default": _connection(database_url, timeout, statement_timeout)},
        "apps": {
            "auftrag": {
                "models": areas.models(),
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# Read by `python -m tortoise makemigrations` through [tool.tortoise] in pyproject.toml.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://var/auftrag.sqlite3")


async def init(database_url: str, connect_timeout: float = 5.0) -> None:
    if database_url.startswith("sqlite://"):
        path = database_url[len("sqlite://") :]
        if path and path != ":memory:":
            Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    await Tortoise.init(
        config=tortoise_config(database_url, connect_timeout), _enable_global_fallback=True
    )


async def migrate(database_url: str, connect_timeout: float = 5.0) -> None:
    """Apply every pending migration; safe to run on each start."""
    await init(database_url, connect_timeout)
    # Rewriting a large table may take long; only the web path needs fast failure.
    await migrate_api(config=tortoise_config(database_url, connect_timeout, MIGRATION_TIMEOUT))


async def close() -> None:
    """Close the pools. The ORM's process-wide context goes even when closing fails or is
    cancelled (a bounded shutdown forces it), or the next start in this process — a
    restarted app, the next test — would find it still set and refuse to initialise."""
    ctx = tortoise_context.get_current_context()
    try:
        await Tortoise.close_connections()
    finally:
        if ctx is not None and tortoise_context._global_context is ctx:
            tortoise_context._global_context = None


def terminate() -> None:
    """Cut every pooled connection at once, for a shutdown that cannot wait for them."""
    for client in connections.all():
        pool = getattr(client, "_pool", None)
        if pool is not None and hasattr(pool, "terminate"):
            pool.terminate()
