"""Upgrading to notifications must not notify anyone of what happened before them."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from participation import db
from participation.sql import run


async def test_the_dispatcher_starts_after_the_events_already_in_the_outbox(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    config = db.tortoise_config(url, 5.0, 60.0)
    await migrate(config=config, target="auftrag.0018_comments")
    await Tortoise.init(config=config)
    try:
        connection = Tortoise.get_connection("default")
        for n in range(3):
            await run(
                connection,
                "INSERT INTO outbox_event (name, subject_type, subject_id, payload, created_at) "
                "VALUES ($1, 'mandate', $2, '{}', CURRENT_TIMESTAMP)",
                "mandates:mandate:published",
                n,
            )
        await migrate(config=config)
        rows = await run(
            connection, "SELECT watermark FROM outbox_consumer WHERE name = 'notifications'"
        )
        assert [row["watermark"] for row in rows] == [3]
    finally:
        await Tortoise.close_connections()
        await db.close()
