"""Small helpers for the few hand-written statements on the hot path."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


def is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


async def run(connection: BaseDBAsyncClient, sql: str, *values: Any) -> list[dict[str, Any]]:
    """Run `sql` written with ``$1, $2…`` placeholders on PostgreSQL or SQLite."""
    if not is_postgres(connection):
        for index in range(len(values), 0, -1):
            sql = sql.replace(f"${index}", f"?{index}")
    # execute_query_dict always fetches: Tortoise's asyncpg execute_query drops the rows of
    # INSERT/UPDATE/DELETE … RETURNING, which the signature statements depend on.
    return await connection.execute_query_dict(sql, list(values))
