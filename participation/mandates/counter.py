"""The signature count: shards summed on read, so no single row takes every +1."""

from __future__ import annotations

import random

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from participation.mandates.models import SignatureCount
from participation.sql import run

# Enough rows that 256 concurrent signers rarely queue on the same one; summing 16
# small rows on read stays far below a millisecond.
SHARDS = 16


async def create_shards(connection: BaseDBAsyncClient, mandate_id: int) -> None:
    await SignatureCount.bulk_create(
        [SignatureCount(mandate_id=mandate_id, shard=n, count=0) for n in range(SHARDS)],
        using_db=connection,
    )


def random_shard() -> int:
    return random.randrange(SHARDS)


async def add(
    connection: BaseDBAsyncClient, mandate_id: int, delta: int, resident_delta: int = 0
) -> None:
    await run(
        connection,
        "UPDATE signature_count SET count = count + $1, resident = resident + $2 "
        "WHERE mandate_id = $3 AND shard = $4",
        delta,
        resident_delta,
        mandate_id,
        random_shard(),
    )


async def total(mandate_id: int, connection: BaseDBAsyncClient | None = None) -> int:
    rows = await run(
        connection or connections.get("default"),
        "SELECT COALESCE(SUM(count), 0) AS total FROM signature_count WHERE mandate_id = $1",
        mandate_id,
    )
    return int(rows[0]["total"])


async def totals(mandate_ids: list[int]) -> dict[int, int]:
    return {m: total for m, (total, _) in (await tallies(mandate_ids)).items()}


async def tallies(mandate_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per mandate: all signatures, and those of people verified as residents there."""
    if not mandate_ids:
        return {}
    rows = await SignatureCount.filter(mandate_id__in=mandate_ids).values_list(
        "mandate_id", "count", "resident"
    )
    sums: dict[int, list[int]] = {m: [0, 0] for m in mandate_ids}
    for mandate_id, count, resident in rows:
        sums[mandate_id][0] += count
        sums[mandate_id][1] += resident
    return {m: (total, resident) for m, (total, resident) in sums.items()}
