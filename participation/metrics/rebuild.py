"""Recompute every fact and every summary row from the records, per municipality.

Each municipality is rebuilt in one transaction: its facts are computed with the same
functions the consumer uses (participation/metrics/facts.py, bulk reads in chunks), then
its rows are deleted and the new ones inserted in bulk. A dashboard reading meanwhile
sees the old rows until the commit and the new ones after it, never a half-empty table
(PostgreSQL's snapshots; SQLite's single writer). On PostgreSQL the rebuild holds the
municipality's advisory lock alone, so the consumer waits for it instead of writing a
change the rebuild did not read; afterwards the consumer's facts are the rebuild's, and
an event handled later applies only what changed since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from notifications.visits.models import Invitation, ServiceVisit
from participation.deliberation.models import Comment
from participation.errors import NotFound
from participation.mandates.models import Mandate
from participation.messages import Message
from participation.metrics import facts
from participation.metrics.contributions import Cell, Person
from participation.metrics.models import MetricCell, MetricFact, MetricParticipant
from participation.metrics.projection import LOCK_SPACE
from participation.municipalities.models import Municipality
from participation.sql import is_postgres, run
from participation.votes.models import Vote

# Called with (municipality slug, subjects done, subjects in all).
Progress = Callable[[str, int, int], None]
INSERT_BATCH = 1000


@dataclass(frozen=True)
class Rebuilt:
    municipality: str
    facts: int
    cells: int
    participants: int


async def _subject_ids(conn: BaseDBAsyncClient, municipality_id: int) -> dict[str, list[int]]:
    here = {"municipality_id": municipality_id}
    queries: dict[str, QuerySet[Any]] = {
        "mandate": Mandate.filter(**here),
        "vote": Vote.filter(**here),
        "comment": Comment.filter(thread__municipality_id=municipality_id),
        "visit": ServiceVisit.filter(**here),
        "invitation": Invitation.filter(**here),
    }
    return {
        kind: [int(row["id"]) for row in await query.using_db(conn).values("id")]
        for kind, query in queries.items()
    }


async def rebuild_municipality(
    municipality: Municipality, progress: Progress | None = None
) -> Rebuilt:
    async with in_transaction() as conn:
        if is_postgres(conn):
            await run(conn, "SELECT pg_advisory_xact_lock($1, $2)", LOCK_SPACE, municipality.id)
        kinds = await _subject_ids(conn, municipality.id)
        total = sum(len(ids) for ids in kinds.values())
        done = 0
        if progress is not None:
            progress(municipality.slug, done, total)
        calendars = facts.Calendars()
        fact_rows: list[MetricFact] = []
        cells: Counter[Cell] = Counter()
        people: Counter[Person] = Counter()
        for kind, ids in kinds.items():
            for start in range(0, len(ids), facts.CHUNK):
                chunk = sorted(ids[start : start + facts.CHUNK])
                for sid, (_, found) in (await facts.KINDS[kind](conn, chunk, calendars)).items():
                    cells.update(found.cells)
                    people.update(found.people)
                    fact_rows.append(
                        MetricFact(
                            kind=kind,
                            subject_id=sid,
                            municipality_id=municipality.id,
                            data=found.to_data(),
                        )
                    )
                done += len(chunk)
                if progress is not None:
                    progress(municipality.slug, done, total)
        here = {"municipality_id": municipality.id}
        await MetricFact.filter(**here).using_db(conn).delete()
        await MetricCell.filter(**here).using_db(conn).delete()
        await MetricParticipant.filter(**here).using_db(conn).delete()
        cell_rows = [
            MetricCell(
                municipality_id=municipality.id,
                department_id=dept,
                service_type=service,
                month=month,
                measure=measure,
                value=value,
                count=count,
            )
            for (dept, service, month, measure, value), count in sorted(cells.items())
            if count
        ]
        person_rows = [
            MetricParticipant(municipality_id=municipality.id, month=month, person=key, refs=refs)
            for (month, key), refs in sorted(people.items())
            if refs
        ]
        await _insert(conn, MetricFact, fact_rows)
        await _insert(conn, MetricCell, cell_rows)
        await _insert(conn, MetricParticipant, person_rows)
    return Rebuilt(municipality.slug, len(fact_rows), len(cell_rows), len(person_rows))


async def _insert(conn: BaseDBAsyncClient, model: type, rows: Sequence[object]) -> None:
    if rows:
        await model.bulk_create(rows, batch_size=INSERT_BATCH, using_db=conn)  # type: ignore[attr-defined]


async def rebuild(slug: str | None = None, progress: Progress | None = None) -> list[Rebuilt]:
    """Rebuild the tables of one municipality (by slug), or of every one.

    Raises NotFound for an unknown slug.
    """
    if slug is None:
        towns = await Municipality.all().order_by("id")
    else:
        town = await Municipality.get_or_none(slug=slug)
        if town is None:
            raise NotFound(Message("This municipality does not exist."))
        towns = [town]
    return [await rebuild_municipality(town, progress) for town in towns]
