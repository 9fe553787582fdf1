"""The `metrics` consumer: events are hints that subjects changed; their facts are recomputed.

For each batch the consumer collects the subjects its events touch (a mandate, a vote,
a comment, a visit, an invitation), recomputes each once from the records, and applies
the difference to its stored fact, in one transaction per subject under a row lock on
the fact: two workers handling events of one mandate at once serialise there, and the
second sees the first's contribution as the old one. An event delivered twice, or late,
changes nothing more, and after a rebuild nothing is counted twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from notifications.visits.models import Invitation
from notifications.visits.rules import TOOK_PART_WITHIN
from participation.metrics import facts
from participation.metrics import people as people_cells
from participation.metrics.contributions import (
    Cell,
    Contribution,
    Person,
    difference,
    person,
)
from participation.metrics.models import MetricFact
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event
from participation.sql import is_postgres, run
from participation.votes.models import Participation

Subject = tuple[str, int]

# Events about a mandate that change one of its measures.
MANDATE_EVENTS = (
    "mandates:mandate:*",
    "mandates:signature:*",
    "mandates:rating:*",
    "answers:*",
    "council:promise:missed",
    "costs:analysis:published",
    "plans:*",
)
COMMENT_EVENTS = (
    "deliberation:comment:posted",
    "deliberation:comment:deleted",
    "moderation:comment:flagged",
    "moderation:comment:hidden",
    "moderation:comment:restored",
    "moderation:flags:dismissed",
)
# What an invitee does that may count as having taken part.
TAKING_PART = (
    "mandates:signature:created",
    "mandates:signature:withdrawn",
    "deliberation:comment:posted",
)

# The advisory lock space of a municipality's tables: shared by the consumer, taken alone
# by the rebuild, so that a rebuild never overwrites a change it did not read.
LOCK_SPACE = 24_001
# The advisory lock space of one person's participant rows in a municipality.
PEOPLE_LOCK_SPACE = 24_002
_EMPTY = '{"cells":[],"people":[],"who":[]}'

_CELL = (
    "INSERT INTO metric_cell (municipality_id, department_id, service_type, month, measure, "
    "value, count) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (municipality_id, department_id, service_type, month, measure, value) "
    "DO UPDATE SET count = metric_cell.count + excluded.count"
)
_CELL_GONE = (
    "DELETE FROM metric_cell WHERE municipality_id = $1 AND department_id = $2 "
    "AND service_type = $3 AND month = $4 AND measure = $5 AND value = $6 AND count = 0"
)
_PERSON_GONE = (
    "DELETE FROM metric_participant WHERE municipality_id = $1 AND month = $2 "
    "AND person = $3 AND refs = 0"
)
_PERSON = (
    "INSERT INTO metric_participant (municipality_id, month, person, refs) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (municipality_id, month, person) "
    "DO UPDATE SET refs = metric_participant.refs + excluded.refs"
)


async def subjects_of(batch: Sequence[Event]) -> set[Subject]:
    """The subjects whose contributions these events may have changed."""
    found: set[Subject] = set()
    invitees: dict[int, set[int]] = defaultdict(set)
    voted: dict[int, set[int]] = defaultdict(set)
    erased: set[int] = set()
    for event in batch:
        name = event.name
        if event.subject_type == "mandate" and name.split(":")[0] in (
            "mandates",
            "answers",
            "council",
            "costs",
            "plans",
        ):
            found.add(("mandate", event.subject_id))
        elif name in COMMENT_EVENTS:
            found.add(("comment", int(event.payload["comment_id"])))
        elif name == "votes:ballot:cast":
            found.add(("vote", event.subject_id))
            if event.municipality_id is not None:
                voted[event.municipality_id].add(event.subject_id)
        elif name == "visits:visit:recorded":
            found.add(("visit", event.subject_id))
        elif name.startswith("visits:") and event.subject_type == "invitation":
            found.add(("invitation", event.subject_id))
        elif name == "accounts:user:deleted":
            erased.add(event.subject_id)
        if name in TAKING_PART and event.actor_id is not None and event.municipality_id:
            invitees[event.municipality_id].add(event.actor_id)
    for mid, users in invitees.items():
        ids = await Invitation.filter(municipality_id=mid, user_id__in=users).values_list(
            "id", flat=True
        )
        found |= {("invitation", int(iid)) for iid in ids}  # type: ignore[call-overload]
    for mid, vote_ids in voted.items():
        # A ballot names nobody, so the invitations of the vote's voters are looked at
        # again: only those sent in the 14 days before one of her votes, the only ones a
        # vote can have changed (recomputing every voter's would grow with the turnout).
        cast: dict[int, list[datetime]] = defaultdict(list)
        for uid, at in await Participation.filter(vote_id__in=vote_ids).values_list(
            "user_id", "created_at"
        ):
            if uid is not None:
                cast[uid].append(at)
        voters = Subquery(Participation.filter(vote_id__in=vote_ids).values("user_id"))
        for iid, uid, sent in await Invitation.filter(
            municipality_id=mid, user_id__in=voters
        ).values_list("id", "user_id", "sent_at"):
            if any(sent <= at < sent + TOOK_PART_WITHIN for at in cast.get(uid, ())):
                found.add(("invitation", int(iid)))
    found |= await _erased(erased)
    return found


async def _erased(user_ids: Iterable[int]) -> set[Subject]:
    """The subjects computed from accounts now erased: their records lost the link, so
    their contributions move from her key to the records' own (found by a scan of the
    facts, as erasures are rare)."""
    found: set[Subject] = set()
    connection = connections.get("default")
    text = "CAST(data AS TEXT)" if is_postgres(connection) else "data"
    for user_id in user_ids:
        rows = await run(
            connection,
            f"SELECT kind, subject_id FROM metric_fact WHERE {text} LIKE $1",
            f'%"{person(user_id)}"%',
        )
        found |= {(row["kind"], int(row["subject_id"])) for row in rows}
    return found


async def apply(
    conn: BaseDBAsyncClient, municipality_id: int, cells: Counter[Cell], people: Counter[Person]
) -> None:
    """Add these deltas to the tables, dropping rows that reach zero.

    Rows are written in key order, so two workers' transactions meet them in the same
    order and wait for each other instead of deadlocking. A negative delta may bring a
    cell to zero; so may a positive one on a running sum's cells, which hold negative
    counts too. The people cells of those whose months change go with the same delta."""
    cells = Counter(cells)
    cells.update(await _people_cells(conn, municipality_id, people))
    for key, count in sorted(cells.items()):
        if not count:
            continue
        await run(conn, _CELL, municipality_id, *key, count)
        if count < 0 or key[3] in people_cells.RUNNING:
            await run(conn, _CELL_GONE, municipality_id, *key)
    for who, refs in sorted(people.items()):
        await run(conn, _PERSON, municipality_id, *who, refs)
        if refs < 0:
            await run(conn, _PERSON_GONE, municipality_id, *who)


def _person_lock(municipality_id: int, person: str) -> int:
    digest = hashlib.sha256(f"{municipality_id}:{person}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


async def _people_cells(
    conn: BaseDBAsyncClient, municipality_id: int, people: Counter[Person]
) -> Counter[Cell]:
    """How the people cells change when these participant deltas are applied.

    Two batches about different subjects may both touch one person (her signature here,
    her comment there): each reads her months, so on PostgreSQL her months are locked
    first, in one order for every worker (after the facts, before the cells), or both
    would count her as new."""
    persons = sorted({who for _, who in people})
    if is_postgres(conn):
        for key in sorted({_person_lock(municipality_id, who) for who in persons}):
            await run(conn, "SELECT pg_advisory_xact_lock($1, $2)", PEOPLE_LOCK_SPACE, key)
    before: dict[str, dict[str, int]] = defaultdict(dict)
    for start in range(0, len(persons), facts.CHUNK):
        some = persons[start : start + facts.CHUNK]
        marks = ", ".join(f"${n + 2}" for n in range(len(some)))
        for row in await run(
            conn,
            "SELECT person, month, refs FROM metric_participant "
            f"WHERE municipality_id = $1 AND person IN ({marks})",
            municipality_id,
            *some,
        ):
            before[row["person"]][row["month"]] = int(row["refs"])
    after: dict[str, dict[str, int]] = {who: dict(months) for who, months in before.items()}
    for (month, who), refs in people.items():
        months = after.setdefault(who, {})
        months[month] = months.get(month, 0) + refs
    delta: Counter[Cell] = Counter()
    for who in persons:
        was = [m for m, refs in before.get(who, {}).items() if refs > 0]
        now = [m for m, refs in after[who].items() if refs > 0]
        if sorted(was) != sorted(now):
            delta.update(people_cells.change(was, now))
    return delta


async def refresh(subjects: Iterable[Subject], municipality_ids: Iterable[int] = ()) -> int:
    """Recompute these subjects and bring the tables up to date, in one transaction;
    returns how many facts changed. `municipality_ids` are the subjects' municipalities,
    whose rebuild this waits for (on PostgreSQL)."""
    wanted = sorted(set(subjects))
    if not wanted:
        return 0
    async with in_transaction() as conn:
        if is_postgres(conn):
            for mid in sorted(set(municipality_ids)):
                await run(conn, "SELECT pg_advisory_xact_lock_shared($1, $2)", LOCK_SPACE, mid)
        old = await _lock(conn, wanted)
        calendars = facts.Calendars()
        by_kind: dict[str, list[int]] = defaultdict(list)
        for kind, sid in wanted:
            by_kind[kind].append(sid)
        fresh: dict[Subject, tuple[int, Contribution]] = {}
        for kind, ids in by_kind.items():
            for sid, found in (await facts.KINDS[kind](conn, ids, calendars)).items():
                fresh[(kind, sid)] = found
        cells: dict[int, Counter[Cell]] = defaultdict(Counter)
        people: dict[int, Counter[Person]] = defaultdict(Counter)
        changed = 0
        for subject in wanted:
            mid, cell_delta, person_delta = await _settle(conn, old[subject], fresh.get(subject))
            cells[mid].update(cell_delta)
            people[mid].update(person_delta)
            changed += bool(cell_delta or person_delta)
        for mid in sorted(cells.keys() | people.keys()):
            await apply(
                conn,
                mid,
                Counter({k: v for k, v in cells[mid].items() if v}),
                Counter({k: v for k, v in people[mid].items() if v}),
            )
        return changed


async def _lock(conn: BaseDBAsyncClient, wanted: list[Subject]) -> dict[Subject, Any]:
    """Lock the subjects' facts, creating empty ones (municipality 0) for new subjects, in
    one order for every worker; returns each one's row."""
    for start in range(0, len(wanted), facts.CHUNK):
        chunk = wanted[start : start + facts.CHUNK]
        tuples = ", ".join(
            f"(${3 * n + 1}, ${3 * n + 2}, 0, ${3 * n + 3})" for n in range(len(chunk))
        )
        values = [v for kind, sid in chunk for v in (kind, sid, _EMPTY)]
        await run(
            conn,
            f"INSERT INTO metric_fact (kind, subject_id, municipality_id, data) VALUES {tuples} "
            "ON CONFLICT (kind, subject_id) DO NOTHING",
            *values,
        )
    lock = " FOR UPDATE" if is_postgres(conn) else ""
    found: dict[Subject, Any] = {}
    for kind in sorted({kind for kind, _ in wanted}):
        ids = [sid for k, sid in wanted if k == kind]
        for start in range(0, len(ids), facts.CHUNK):
            some = ids[start : start + facts.CHUNK]
            rows = await run(
                conn,
                "SELECT id, subject_id, municipality_id, data FROM metric_fact "
                f"WHERE kind = $1 AND subject_id IN ({', '.join(str(int(i)) for i in some)}) "
                f"ORDER BY subject_id{lock}",
                kind,
            )
            found.update({(kind, int(row["subject_id"])): row for row in rows})
    return found


async def _settle(
    conn: BaseDBAsyncClient, row: Any, new: tuple[int, Contribution] | None
) -> tuple[int, Counter[Cell], Counter[Person]]:
    """Store `new` as the subject's fact (None: the subject is gone, and so is its fact);
    returns its municipality and what changed."""
    old = Contribution.from_data(_json(row["data"]))
    fresh = new[1] if new is not None else Contribution()
    cells, people = difference(old, fresh)
    municipality_id = new[0] if new is not None else int(row["municipality_id"])
    if new is None:
        await run(conn, "DELETE FROM metric_fact WHERE id = $1", row["id"])
    elif cells or people or old.who != fresh.who or row["municipality_id"] != municipality_id:
        await run(
            conn,
            "UPDATE metric_fact SET data = $1, municipality_id = $2 WHERE id = $3",
            _dumps(fresh.to_data()),
            municipality_id,
            row["id"],
        )
    return municipality_id, cells, people


def _json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


async def project(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    subjects = await subjects_of(batch)
    await refresh(subjects, await _municipalities(batch, subjects))


async def _municipalities(batch: Sequence[Event], subjects: set[Subject]) -> set[int]:
    """The municipalities of the batch's subjects: the events', and those of facts found
    otherwise (an erased account's have none)."""
    found = {event.municipality_id for event in batch if event.municipality_id is not None}
    if any(event.municipality_id is None for event in batch):
        for kind in {kind for kind, _ in subjects}:
            ids = [sid for k, sid in subjects if k == kind]
            rows = await MetricFact.filter(kind=kind, subject_id__in=ids).values("municipality_id")
            found |= {int(row["municipality_id"]) for row in rows}
    return found


PATTERNS = (
    *MANDATE_EVENTS,
    *COMMENT_EVENTS,
    "votes:ballot:cast",
    "visits:visit:recorded",
    "visits:invitation:sent",
    "visits:satisfaction:given",
    "accounts:user:deleted",
)

METRICS = Consumer(name="metrics", handlers=dict.fromkeys(PATTERNS, project))
