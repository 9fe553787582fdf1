"""Upgrading to notifications must not notify anyone of what happened before them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from participation import db
from participation.sql import run


async def _on(config: dict[str, Any], sql: str, *args: object) -> list[Any]:
    # Each migrate() and init() makes a context of its own, so each step opens and closes
    # its own: a context left open keeps its SQLite connection's thread, which is no
    # daemon, and the test process would never exit.
    await Tortoise.init(config=config)
    try:
        return list(await run(Tortoise.get_connection("default"), sql, *args))
    finally:
        await db.close()


async def test_the_dispatcher_starts_after_the_events_already_in_the_outbox(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    config = db.tortoise_config(url, 5.0, 60.0)
    try:
        await migrate(config=config, target="auftrag.0018_comments")
    finally:
        await db.close()
    for n in range(3):
        await _on(
            config,
            "INSERT INTO outbox_event (name, subject_type, subject_id, payload, created_at) "
            "VALUES ($1, 'mandate', $2, '{}', CURRENT_TIMESTAMP)",
            "mandates:mandate:published",
            n,
        )
    try:
        await migrate(config=config)
    finally:
        await db.close()
    rows = await _on(config, "SELECT watermark FROM outbox_consumer WHERE name = 'notifications'")
    assert [row["watermark"] for row in rows] == [3]
