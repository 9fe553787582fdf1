"""A model change without its migration would pass on a fresh test database and break
every existing one: the committed migrations must describe the models exactly."""

from __future__ import annotations

from pathlib import Path

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from participation.db import tortoise_config


async def test_no_model_change_lacks_a_migration(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'probe.sqlite3'}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        detector = MigrationAutodetector(ctx.apps, config["apps"])
        writers = await detector.changes()
    assert not writers, "models changed without a migration: run python -m tortoise makemigrations"
