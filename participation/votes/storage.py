"""Sealing: clearing the database of what could still link a ballot to its voter.

A cast writes the participation and the ballot in one transaction, so on PostgreSQL both
row versions carry its id (`xmin`). Publication moves the ballots to a table of their own
(`PublishedBallot`, written in random order under new ids), but the ballot box keeps the
old row versions — choices, receipt digest, slot and `xmin` — as dead tuples until VACUUM,
and their bytes even after a plain VACUUM, in the pages' free space and in index pages;
the vote's old row versions keep its erased key. Cancelling leaves the same behind.

VACUUM FULL rewrites a table and its indexes from the live rows alone. It cannot run in
a transaction, so it runs after publication (or cancellation) commits, and a vote counts
as sealed only once it has succeeded; the minute job seals every finished vote that is
not, so a failed or interrupted seal is retried. Its lock blocks the table while it
runs, which is short: the box holds only the ballots of votes still open or closed.
A snapshot older than publication would keep the old versions alive through the
rewrite, so sealing first waits (briefly; otherwise it fails and is retried) until no
transaction older than its own start is left. It can only see other database roles'
transactions with the privileges of `pg_read_all_stats`.

SQLite keeps deleted rows' bytes in free pages and old page images in its write-ahead
log: VACUUM rebuilds the file from the live rows, then the log is truncated.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from participation import clock
from participation.sql import is_postgres
from participation.votes.models import Vote, VoteStatus

log = logging.getLogger(__name__)

# The ballot box first; then the vote's own rows, whose old versions hold the ballot key.
TABLES = ("vote_ballot", "vote")
LOCK_TIMEOUT = "2s"
VACUUM_TIMEOUT = 600.0
# Casts of other votes still running when a seal starts end within milliseconds; a longer
# transaction postpones the seal to the next minute.
SNAPSHOT_WAIT = 5.0
SNAPSHOT_POLL = 0.05

_FINISHED = (VoteStatus.PUBLISHED, VoteStatus.CANCELLED)
# What keeps row versions that transaction `$1` could still see through VACUUM FULL: a
# snapshot in this database (or a standby's, through its walsender or replication slot)
# older than it, or any transaction older than it in any database, which would hold back
# the vacuum's own snapshot (unlike a plain VACUUM, VACUUM FULL does not ignore that).
_OLDER = """
SELECT (SELECT count(*) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
          AND (age(backend_xid) > age($1::xid)
               OR (age(backend_xmin) > age($1::xid)
                   AND (datname = current_database() OR datname IS NULL)
                   AND backend_type <> 'autovacuum worker')))
     + (SELECT count(*) FROM pg_replication_slots
        WHERE (database IS NULL OR database = current_database()) AND age(xmin) > age($1::xid))
     + (SELECT count(*) FROM pg_prepared_xacts WHERE age(transaction) > age($1::xid))
"""
# A new transaction id, so every publication committed before is older than it.
_NOW = "SELECT pg_current_xact_id()::text::bigint % 4294967296"


class NotSealed(Exception):
    """Sealing could not run now; the minute job tries again."""


async def seal_pending() -> int:
    """Seal every published or cancelled vote not sealed yet; returns how many."""
    pending = await Vote.filter(status__in=_FINISHED, sealed_at=None).values_list("id", flat=True)
    if not pending:
        return 0
    connection = connections.get("default")
    if is_postgres(connection):
        await _vacuum_postgres(connection)
    else:
        await _vacuum_sqlite(connection)
    # Votes finished meanwhile were not covered; they stay pending for the next run.
    return await Vote.filter(id__in=list(pending)).update(sealed_at=clock.now())


async def seal_after(vote_id: int) -> None:
    """Seal right after `vote_id` was published or cancelled; on failure the minute job will."""
    try:
        await seal_pending()
    except Exception:
        log.warning("sealing after vote %s failed; the minute job retries", vote_id, exc_info=True)


async def _vacuum_postgres(connection: BaseDBAsyncClient) -> None:
    async with connection.acquire_connection() as raw:
        await _wait_for_old_snapshots(raw, await raw.fetchval(_NOW))
        # The pool skips its reset query (participation.db), so the setting must not outlive us.
        await raw.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            for table in TABLES:
                await raw.execute(f"VACUUM FULL {table}", timeout=VACUUM_TIMEOUT)
        finally:
            await raw.execute("RESET lock_timeout")


async def _wait_for_old_snapshots(raw: Any, now: int) -> None:
    """Wait until nothing older than transaction `now` can see the old row versions."""
    try:
        async with asyncio.timeout(SNAPSHOT_WAIT):
            # Polling on purpose: other sessions' transactions announce nothing to us.
            while await raw.fetchval(_OLDER, now):  # noqa: ASYNC110
                await asyncio.sleep(SNAPSHOT_POLL)
    except TimeoutError:
        raise NotSealed("a transaction older than the publication is still running") from None


async def _vacuum_sqlite(connection: BaseDBAsyncClient) -> None:
    await connection.execute_script("VACUUM")
    await connection.execute_script("PRAGMA wal_checkpoint(TRUNCATE)")
