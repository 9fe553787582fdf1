"""The ORM's connections: a close that fails or is forced still lets the next start begin."""

from __future__ import annotations

import asyncio
import contextvars
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.connection import connections

from participation import db


async def test_a_close_that_fails_still_lets_the_next_init_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite://{tmp_path / 'one.sqlite3'}"
    await db.init(url)

    async def broken() -> None:
        await connections.close_all(discard=False)
        raise ConnectionResetError("the server went away while closing")

    monkeypatch.setattr(Tortoise, "close_connections", broken)
    with pytest.raises(ConnectionResetError):
        await db.close()
    monkeypatch.undo()

    # As the next test or a restarted app would: from a task that knows no context yet.
    async def start_again() -> None:
        await db.init(f"sqlite://{tmp_path / 'two.sqlite3'}")
        await db.close()

    await asyncio.create_task(start_again(), context=contextvars.Context())
