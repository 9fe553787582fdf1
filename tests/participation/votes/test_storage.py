"""Ballot secrecy in storage: after publication, nothing in the database file links a ballot
to its voter — neither live rows nor dead row versions, free space or index pages.

On PostgreSQL every tuple of the tables concerned is read with pageinspect, the way
someone with database access would dig; on SQLite the database file itself is searched.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from tortoise.connection import connections

from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.sql import run
from participation.votes import clockwork, commands, storage
from participation.votes.models import Vote, VoteStatus
from tests import conftest, factories
from tests.conftest import USE_POSTGRES
from tests.factories import votes as vote_factories

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture(autouse=True)
async def new_files(database_url: str) -> None:
    """These tests read every tuple on disk: emptied tables would still hold the dead rows
    of the tests before, and the emptying DELETE's transaction id as their xmax."""
    if USE_POSTGRES:
        await conftest._empty(database_url, new_files=True)


VOTERS = 40
# Enough ballots for several heap and index pages; every fourth voter changes her mind.
REPLACING = range(0, VOTERS, 4)


async def _cast_ballots(council: Actor, town: Municipality) -> tuple[Vote, dict[str, Any]]:
    """An open vote with ballots, some replaced; returns it and its secrets as they were."""
    vote = await vote_factories.vote(council, town)
    options = await vote_factories.option_ids(vote.id)
    voters = [await factories.person() for _ in range(VOTERS)]
    for n, voter in enumerate(voters):
        await commands.cast_ballot(voter, vote.id, [options[n % 4]])
    for n in REPLACING:
        await commands.cast_ballot(voters[n], vote.id, [options[(n + 1) % 4], options[(n + 2) % 4]])
    connection = connections.get("default")
    ballots = await run(connection, "SELECT id, slot FROM vote_ballot WHERE vote_id = $1", vote.id)
    key = (await Vote.get(id=vote.id)).ballot_key
    assert key is not None
    return vote, {
        "ids": [str(b["id"]) for b in ballots],
        "slots": [b["slot"] for b in ballots],
        "key": key,
    }


async def _publish(council: Actor, vote: Vote) -> Vote:
    await commands.close_vote(council, vote.id, "Auszählung im Test.")
    return await commands.publish_vote(council, vote.id)


# -- PostgreSQL ---------------------------------------------------------------------------------


async def _inspect(database_url: str) -> asyncpg.Connection:
    inspector = await asyncpg.connect(database_url.split("?")[0])
    await inspector.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    return inspector


async def _relations(inspector: asyncpg.Connection, table: str) -> list[str]:
    """The table, its TOAST table and every index of both: all the files it occupies."""
    rows = await inspector.fetch(
        """
        WITH base AS (
            SELECT c.oid FROM pg_class c WHERE c.oid = $1::regclass
            UNION SELECT c.reltoastrelid FROM pg_class c
            WHERE c.oid = $1::regclass AND c.reltoastrelid <> 0
        )
        SELECT oid::regclass::text AS name FROM base
        UNION SELECT indexrelid::regclass::text FROM pg_index
        WHERE indrelid IN (SELECT oid FROM base)
        """,
        table,
    )
    return [row["name"] for row in rows]


async def _pages(inspector: asyncpg.Connection, relation: str) -> list[bytes]:
    size = await inspector.fetchval("SELECT pg_relation_size($1::regclass)", relation)
    return [
        await inspector.fetchval("SELECT get_raw_page($1, $2)", relation, n)
        for n in range(size // 8192)
    ]


async def _transaction_ids(inspector: asyncpg.Connection, table: str) -> set[int]:
    """`xmin` and `xmax` of every tuple of `table`, live or dead."""
    ids: set[int] = set()
    for n in range(len(await _pages(inspector, table))):
        for row in await inspector.fetch(
            "SELECT t_xmin, t_xmax FROM heap_page_items(get_raw_page($1, $2)) "
            "WHERE t_xmin IS NOT NULL",
            table,
            n,
        ):
            ids.update(int(x) for x in (row["t_xmin"], row["t_xmax"]) if int(x) != 0)
    return ids


async def _stored(database_url: str) -> bytes:
    """Every byte the database keeps of ballots and votes: on PostgreSQL each page of the
    tables, their TOAST and their indexes; on SQLite the file and its write-ahead log."""
    if not USE_POSTGRES:
        return _sqlite_files(Path(database_url.removeprefix("sqlite://")))
    inspector = await _inspect(database_url)
    try:
        pages = []
        for table in ("vote_ballot", "vote_published_ballot", "vote"):
            for relation in await _relations(inspector, table):
                pages.extend(await _pages(inspector, relation))
        return b"".join(pages)
    finally:
        await inspector.close()


def _sqlite_files(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _found(secrets: dict[str, Any], stored: bytes) -> list[str]:
    """Which old ids, slots or key are in `stored` (a uuid is 16 bytes on PostgreSQL)."""
    forms = {i: uuid.UUID(i).bytes if USE_POSTGRES else i.encode() for i in secrets["ids"]}
    forms.update({s: s.encode() for s in [*secrets["slots"], secrets["key"]]})
    return [text for text, form in forms.items() if form in stored]


@pytest.mark.postgres
async def test_after_publication_no_tuple_links_a_ballot_to_a_participation(
    town: Municipality, council: Actor, database_url: str
) -> None:
    vote, secrets = await _cast_ballots(council, town)
    inspector = await _inspect(database_url)
    try:
        # What the review found: while the vote runs, each ballot shares its cast's xmin.
        linked = await inspector.fetchval(
            "SELECT count(*) FROM vote_ballot b JOIN vote_participation p ON b.xmin = p.xmin"
        )
        assert linked == VOTERS
        await _publish(council, vote)
        participations = await _transaction_ids(inspector, "vote_participation")
        for table in ("vote_ballot", "vote_published_ballot"):
            assert not await _transaction_ids(inspector, table) & participations, table
        assert await inspector.fetchval("SELECT count(*) FROM vote_published_ballot") == VOTERS
        assert (await Vote.get(id=vote.id)).sealed_at is not None
    finally:
        await inspector.close()


@pytest.mark.postgres
async def test_a_transaction_older_than_the_publication_postpones_the_seal(
    town: Municipality, council: Actor, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its snapshot would keep the old row versions alive through VACUUM FULL.
    monkeypatch.setattr(storage, "SNAPSHOT_WAIT", 0.3)
    vote, secrets = await _cast_ballots(council, town)
    inspector = await _inspect(database_url)
    reader = await asyncpg.connect(database_url.split("?")[0])
    try:
        old = reader.transaction(isolation="repeatable_read")
        await old.start()
        await reader.fetchval("SELECT count(*) FROM vote_participation")
        published = await _publish(council, vote)
        assert published.status == "published" and published.sealed_at is None
        await old.rollback()
        await clockwork.advance_votes()
        assert (await Vote.get(id=vote.id)).sealed_at is not None
        assert not _found(secrets, await _stored(database_url))
    finally:
        await reader.close()
        await inspector.close()


# -- both -----------------------------------------------------------------------------------------


async def test_after_publication_the_database_keeps_no_old_ballot_nor_the_key(
    town: Municipality, council: Actor, database_url: str
) -> None:
    vote, secrets = await _cast_ballots(council, town)
    # The search finds them while the vote runs.
    assert _found(secrets, await _stored(database_url))
    await _publish(council, vote)
    assert not _found(secrets, await _stored(database_url))


async def test_a_cancelled_vote_keeps_nothing_of_its_ballots(
    town: Municipality, council: Actor, database_url: str
) -> None:
    vote, secrets = await _cast_ballots(council, town)
    never_opened = await vote_factories.vote(council, town, status=VoteStatus.DRAFT)
    for cancelled in (vote, never_opened):
        await commands.cancel_vote(council, cancelled.id, "Fehler im Stimmzettel.")
        assert (await Vote.get(id=cancelled.id)).sealed_at is not None
    assert not _found(secrets, await _stored(database_url))


async def test_a_failed_seal_is_retried_by_the_minute_job(
    town: Municipality, council: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    vote, _ = await _cast_ballots(council, town)

    async def unavailable(*args: object) -> None:
        raise storage.NotSealed("busy")

    with monkeypatch.context() as patched:
        patched.setattr(storage, "_vacuum_postgres", unavailable)
        patched.setattr(storage, "_vacuum_sqlite", unavailable)
        published = await _publish(council, vote)
    # The publication stands; only the sealing waits.
    assert published.result is not None and published.sealed_at is None
    await clockwork.advance_votes()
    assert (await Vote.get(id=vote.id)).sealed_at is not None
