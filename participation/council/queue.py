"""The council's review queue: the municipality's mandates that wait for it or that it
works on, with their service promise, filtered, sorted and paged.

Sorted by due date, overdue ones come first: the queue reads the overdue mandates, then
the others, then any without a due date, each in keyset order on an index
(`mandate (municipality_id, answer_due_at)`), so a page costs the same at 20 mandates as
at 10,000. By submission it is oldest first (longest waiting); by signatures most first,
paged by position since counts move while one pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.expressions import Case, Q, RawSQL, Subquery, When
from tortoise.functions import Coalesce, Count, Sum
from tortoise.queryset import QuerySet

from participation import clock
from participation.actors import Actor
from participation.council.actions import VIEW_REVIEW_QUEUE
from participation.errors import InvalidInput, NotFound
from participation.mandates import rules
from participation.mandates.models import Mandate, MandateTopic, Status
from participation.mandates.promise import LIGHTS, OPEN, Light
from participation.mandates.queries import views_of
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of, possible_slug
from participation.permissions import require

# The order the filter form offers them in.
QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS)
assert set(QUEUE_STATUSES) == OPEN

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
BAD_CURSOR = Message("Malformed cursor; use the `next` value of a list.")


class Sort(StrEnum):
    DUE = "due"
    SIGNATURES = "signatures"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    district: str | None = None
    topic: str | None = None
    department_id: int | None = None
    overdue: bool = False
    sort: Sort = Sort.DUE


@dataclass(frozen=True)
class QueuePage:
    items: list[dict[str, Any]]
    next: str | None
    # red, yellow, green and overdue, over the district, topic and department chosen.
    counts: dict[str, int]


def _overdue(now: datetime) -> Q:
    return Q(first_answer_at__isnull=True, answer_due_at__lt=now)


def _on_time(now: datetime) -> Q:
    return Q(answer_due_at__isnull=False) & (
        Q(first_answer_at__isnull=False) | Q(answer_due_at__gte=now)
    )


@dataclass(frozen=True)
class _Segment:
    """A part of the order: its rows, and the column it runs along (then id), ascending."""

    where: Q
    column: str | None


def _segments(sort: Sort, now: datetime) -> list[_Segment]:
    if sort == Sort.DUE:
        return [
            _Segment(_overdue(now), "answer_due_at"),
            _Segment(_on_time(now), "answer_due_at"),
            _Segment(Q(answer_due_at__isnull=True), None),
        ]
    return [
        _Segment(Q(submitted_at__isnull=False), "submitted_at"),
        _Segment(Q(submitted_at__isnull=True), None),
    ]


def _encode(segment: int, value: datetime | None, mandate_id: int) -> str:
    micros = (value - EPOCH) // US if value is not None else 0
    return f"{segment}.{micros}.{mandate_id}"


def _decode(cursor: str, segments: int) -> tuple[int, datetime, int]:
    parts = cursor.split(".")
    if len(parts) != 3 or not all(p.lstrip("-").isdigit() for p in parts):
        raise InvalidInput.on("cursor", BAD_CURSOR)
    segment, micros, mandate_id = (int(p) for p in parts)
    if not 0 <= segment < segments or not 0 < mandate_id < 2**31 or abs(micros) > 2**53:
        raise InvalidInput.on("cursor", BAD_CURSOR)
    return segment, EPOCH + micros * US, mandate_id


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.startswith("o.") or not cursor[2:].isdigit() or len(cursor) > 12:
        raise InvalidInput.on("cursor", BAD_CURSOR)
    return int(cursor[2:])


async def _filtered(
    municipality: Municipality, filters: QueueFilter, statuses: list[Status]
) -> QuerySet[Mandate] | None:
    """The municipality's mandates in `statuses` matching the filters; None when a filter
    names nothing there."""
    query = Mandate.filter(municipality_id=municipality.id, status__in=statuses)
    if filters.district:
        if not possible_slug(filters.district):
            return None
        district = await District.get_or_none(
            municipality_id=municipality.id, slug=filters.district
        )
        if district is None:
            return None
        query = query.filter(district_id=district.id)
    if filters.topic:
        topic = filters.topic.strip().lower()
        if not topic or len(topic) > rules.TOPIC_MAX or "\x00" in topic:
            return None
        tagged = MandateTopic.filter(topic=topic).values("mandate_id")
        query = query.filter(id__in=Subquery(tagged))
    if filters.department_id is not None:
        query = query.filter(department_id=filters.department_id)
    return query


async def review_queue(
    actor: Actor | None,
    slug: str,
    filters: QueueFilter,
    limit: int = 20,
    cursor: str | None = None,
) -> QueuePage:
    """A page of the queue and the counts per light, for the municipality's council and
    administrators. Raises NotFound, NotAuthenticated, PermissionDenied (anyone else, a
    council member of another municipality too) and InvalidInput (status outside the
    queue, malformed cursor)."""
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, VIEW_REVIEW_QUEUE, await place_of(municipality.id))
    if filters.status is not None and filters.status not in OPEN:
        allowed = ", ".join(s.value for s in QUEUE_STATUSES)
        raise InvalidInput.on("status", Message("Choose one of %(allowed)s.", allowed=allowed))
    now = clock.now()
    statuses = [filters.status] if filters.status else list(QUEUE_STATUSES)
    query = await _filtered(municipality, filters, statuses)
    counts = await _counts(municipality, filters, now)
    if query is None:
        return QueuePage([], None, counts)
    if filters.overdue:
        query = query.filter(_overdue(now))
    if filters.sort == Sort.SIGNATURES:
        rows, next_cursor = await _by_signatures(query, limit, _offset(cursor))
    else:
        rows, next_cursor = await _by_keyset(query, _segments(filters.sort, now), limit, cursor)
    return QueuePage(await views_of(actor, rows), next_cursor, counts)


async def _by_keyset(
    query: QuerySet[Mandate], segments: list[_Segment], limit: int, cursor: str | None
) -> tuple[list[Mandate], str | None]:
    start, after_value, after_id = 0, None, None
    if cursor is not None:
        start, after_value, after_id = _decode(cursor, len(segments))
    rows: list[tuple[int, Mandate]] = []
    for index in range(start, len(segments)):
        segment = segments[index]
        part = query.filter(segment.where)
        if index == start and after_id is not None:
            if segment.column is None:
                part = part.filter(id__gt=after_id)
            else:
                later: dict[str, Any] = {f"{segment.column}__gt": after_value}
                same: dict[str, Any] = {segment.column: after_value, "id__gt": after_id}
                part = part.filter(Q(**later) | Q(**same))
        order = [segment.column, "id"] if segment.column else ["id"]
        found = await part.order_by(*order).limit(limit + 1 - len(rows))
        rows.extend((index, m) for m in found)
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    if not more or not rows:
        return [m for _, m in rows], None
    index, last = rows[-1]
    column = segments[index].column
    value = getattr(last, column) if column else None
    return [m for _, m in rows], _encode(index, value, last.id)


async def _by_signatures(
    query: QuerySet[Mandate], limit: int, offset: int
) -> tuple[list[Mandate], str | None]:
    ranked = (
        await query.annotate(total=Coalesce(Sum("counter_shards__count"), 0))
        .group_by("id")
        .order_by("-total", "id")
        .offset(offset)
        .limit(limit + 1)
        .values_list("id", flat=True)
    )
    ids = [int(i) for i in ranked]  # type: ignore[call-overload]
    more = len(ids) > limit
    ids = ids[:limit]
    by_id = {m.id: m for m in await Mandate.filter(id__in=ids)}
    return [by_id[i] for i in ids], f"o.{offset + limit}" if more else None


async def _counts(
    municipality: Municipality, filters: QueueFilter, now: datetime
) -> dict[str, int]:
    counts = {light.value: 0 for light in Light} | {"overdue": 0}
    query = await _filtered(municipality, filters, list(LIGHTS))
    if query is None:
        return counts
    # One pass over the municipality's rows, on the (municipality_id, status, answer_due_at,
    # first_answer_at) index alone. Overdue is summed for every status and kept for the
    # open ones only here, so the aggregate compares no status strings.
    per_status = (
        # COUNT(*) and a sum over indexed columns: no "id" that would need the table. (The
        # stubs type Case and When narrower than Tortoise takes them.) values(), since
        # values_list() would select each aggregate a second time.
        await query.annotate(
            n=RawSQL("COUNT(*)"),
            late=Sum(Case(When(_overdue(now), then=RawSQL("1")), default=RawSQL("0"))),  # type: ignore[arg-type]
        )
        .group_by("status")
        .values("status", "n", "late")
    )
    for row in per_status:
        status = Status(row["status"])
        counts[LIGHTS[status].value] += int(row["n"])
        if status in OPEN:
            counts["overdue"] += int(row["late"])
    return counts


# Slugs and names for the header, per process: they change rarely, a rename shows within
# NAMES_SECONDS.
NAMES_SECONDS = 60.0
_names: dict[int, tuple[float, str, str]] = {}


async def overdue_by_municipality(municipality_ids: list[int]) -> list[tuple[str, str, int]]:
    """(slug, name, overdue mandates) for each municipality, by name, for the header of
    council members: one query, a range of the (municipality_id, status, answer_due_at,
    first_answer_at) index; the names come from a per-process cache."""
    now = clock.now()
    late = dict(
        await Mandate.filter(
            municipality_id__in=municipality_ids,
            status__in=list(OPEN),
            first_answer_at__isnull=True,
            answer_due_at__lt=now,
        )
        .annotate(n=Count("id"))
        .group_by("municipality_id")
        .values_list("municipality_id", "n")
    )
    moment = time.monotonic()
    stale = [
        m for m in municipality_ids if m not in _names or moment - _names[m][0] > NAMES_SECONDS
    ]
    if stale:
        for mid, slug, name in await Municipality.filter(id__in=stale).values_list(
            "id", "slug", "name"
        ):
            _names[mid] = (moment, slug, name)
    known = [m for m in municipality_ids if m in _names]
    rows = [(_names[m][1], _names[m][2], int(late.get(m, 0))) for m in known]
    return sorted(rows, key=lambda row: row[1])
