"""The facts: each subject's contribution to the summary tables, recomputed from the records.

One function per kind of subject reads the authoritative rows of many subjects at once
(a few bulk queries per batch, never one per subject) and returns what each contributes.
The consumer calls them for the subjects an event touched, the rebuild for all of them,
so both compute the same numbers by construction.

A projection reads other areas' tables read-only, through their models: mandates,
signatures, ratings and timeline entries; votes' participations (that someone voted,
never how); comments, flags and the moderation log; service visits and invitations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from math import ceil
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from notifications.visits import rules as visit_rules
from notifications.visits.models import Invitation, ServiceType, ServiceVisit
from participation.deliberation.models import Comment, Thread
from participation.mandates.models import Mandate, Rating, Signature, Status
from participation.metrics.contributions import Contribution, contributor, month_of, person
from participation.moderation.models import Flag, ModerationAction, ModerationEntry
from participation.municipalities.calendar import WorkingCalendar
from participation.municipalities.models import LocalHoliday, Municipality
from participation.sql import is_postgres, run
from participation.timeline.models import TimelineEntry
from participation.votes.models import Participation, Vote

# Timeline entries that are the council's public work on a mandate: what makes it traced.
TRACED_KINDS = ("response", "cost_analysis", "measure", "measure_milestone", "progress")
OPEN = frozenset({Status.SUBMITTED, Status.IN_REVIEW})
ACCEPTED = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED})
# When a mandate stops being active, for `active_delta`.
CLOSING = frozenset({Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED})
DECISIONS = frozenset(
    {ModerationAction.HIDE, ModerationAction.RESTORE, ModerationAction.DISMISS_FLAGS}
)
HIDINGS = frozenset({ModerationAction.HIDE, ModerationAction.AUTO_HIDE})
CHUNK = 1000

Facts = dict[int, tuple[int, Contribution]]


class Calendars:
    """The municipalities' working calendars and zones, each read once per computation."""

    def __init__(self) -> None:
        self._known: dict[int, WorkingCalendar] = {}

    async def load(self, conn: BaseDBAsyncClient, municipality_ids: Iterable[int]) -> None:
        missing = sorted(set(municipality_ids) - self._known.keys())
        if not missing:
            return
        holidays: dict[int, list[Any]] = defaultdict(list)
        for mid, day in (
            await LocalHoliday.filter(municipality_id__in=missing)
            .using_db(conn)
            .values_list("municipality_id", "date")
        ):
            holidays[mid].append(day)
        for mid, state, zone in (
            await Municipality.filter(id__in=missing)
            .using_db(conn)
            .values_list("id", "state", "time_zone")
        ):
            self._known[mid] = WorkingCalendar.of(state, holidays[mid], zone)

    def __getitem__(self, municipality_id: int) -> WorkingCalendar:
        return self._known[municipality_id]


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _mandate_measures(row: dict[str, Any], calendar: WorkingCalendar) -> Contribution:
    """The measures of one mandate's own dates, without department (added by the caller)."""
    found = Contribution()
    zone = calendar.zone
    status = Status(row["status"])
    submitted: datetime | None = row["submitted_at"]
    closed: datetime | None = row["closed_at"]
    if row["published_at"] is not None:
        found.add(month_of(row["published_at"], zone), "launched")
    if submitted is None:
        return found
    found.add(month_of(submitted, zone), "outcome", _outcome(status))
    found.add(month_of(submitted, zone), "active_delta", 0, 1)
    if status in CLOSING and closed is not None:
        found.add(_next_month(month_of(closed, zone)), "active_delta", 0, -1)
    answered: datetime | None = row["first_answer_at"]
    if answered is not None:
        days = calendar.working_days_between(
            calendar.local_date(submitted), calendar.local_date(answered)
        )
        found.add(month_of(answered, zone), "first_answer_days", days)
    due: datetime | None = row["answer_due_at"]
    if row["promise_kept"] is True and answered is not None:
        found.add(month_of(answered, zone), "promise_kept", 1)
    elif due is not None and (row["promise_kept"] is False or row["promise_overdue_at"]):
        found.add(month_of(due, zone), "promise_kept", 0)
    if status == Status.COMPLETED and closed is not None:
        days = (calendar.local_date(closed) - calendar.local_date(submitted)).days
        found.add(month_of(closed, zone), "completion_days", days)
    return found


def _outcome(status: Status) -> int:
    if status in OPEN:
        return 0
    if status in ACCEPTED:
        return 1
    return 2 if status == Status.REJECTED else 3


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _both(found: Contribution, into: Contribution, department_id: int | None) -> None:
    """Mandate measures count for the whole municipality and for its department."""
    for (_, service, month, measure, value), count in found.cells.items():
        into.add(month, measure, value, count, service_type=service)
        if department_id:
            into.add(
                month, measure, value, count, department_id=department_id, service_type=service
            )


_TRACED_SQL = (
    "SELECT t.mandate_id, to_char(t.created_at AT TIME ZONE mu.time_zone, 'YYYY-MM') AS month "
    "FROM timeline_entry t JOIN mandate m ON m.id = t.mandate_id "
    "JOIN municipality mu ON mu.id = m.municipality_id "
    "WHERE t.mandate_id IN ({ids}) AND t.kind IN ({kinds}) AND m.submitted_at IS NOT NULL "
    "AND t.created_at >= m.submitted_at AND (m.closed_at IS NULL OR t.created_at <= m.closed_at) "
    "GROUP BY 1, 2"
)


async def _traced_months(
    conn: BaseDBAsyncClient, chunk: list[int], rows: list[dict[str, Any]], calendars: Calendars
) -> dict[int, set[str]]:
    """The months in which each active mandate got a public update of the council's work.

    On PostgreSQL the database groups the entries by local month (a mandate may have
    thousands); elsewhere they are grouped here, with the same rule."""
    found: dict[int, set[str]] = defaultdict(set)
    kinds = ", ".join(f"'{kind}'" for kind in TRACED_KINDS)
    if is_postgres(conn):
        ids = ", ".join(str(int(i)) for i in chunk)
        for row in await run(conn, _TRACED_SQL.format(ids=ids, kinds=kinds)):
            found[int(row["mandate_id"])].add(row["month"])
        return found
    windows = {row["id"]: row for row in rows if row["submitted_at"] is not None}
    for mid, at in (
        await TimelineEntry.filter(mandate_id__in=list(windows), kind__in=TRACED_KINDS)
        .using_db(conn)
        .values_list("mandate_id", "created_at")
    ):
        row = windows[mid]
        if at >= row["submitted_at"] and (row["closed_at"] is None or at <= row["closed_at"]):
            found[mid].add(month_of(at, calendars[row["municipality_id"]].zone))
    return found


async def mandates(conn: BaseDBAsyncClient, ids: Sequence[int], calendars: Calendars) -> Facts:
    """A mandate's dates, promise, outcome, activity and trace, its launch, its signatures
    and its ratings (the latest per rater, in the month it was first given)."""
    found: Facts = {}
    for chunk in _chunks(ids):
        rows = (
            await Mandate.filter(id__in=chunk)
            .using_db(conn)
            .values(
                "id",
                "municipality_id",
                "department_id",
                "initiator_id",
                "status",
                "published_at",
                "submitted_at",
                "closed_at",
                "first_answer_at",
                "answer_due_at",
                "promise_kept",
                "promise_overdue_at",
            )
        )
        await calendars.load(conn, [row["municipality_id"] for row in rows])
        signatures: dict[int, list[tuple[int, int | None, datetime]]] = defaultdict(list)
        for sid, mid, uid, at in (
            await Signature.filter(mandate_id__in=chunk)
            .using_db(conn)
            .values_list("id", "mandate_id", "user_id", "created_at")
        ):
            signatures[mid].append((sid, uid, at))
        ratings: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for mid, score, at in (
            await Rating.filter(mandate_id__in=chunk)
            .using_db(conn)
            .values_list("mandate_id", "score", "created_at")
        ):
            ratings[mid].append((score, at))
        traced = await _traced_months(conn, chunk, rows, calendars)
        for row in rows:
            calendar = calendars[row["municipality_id"]]
            zone = calendar.zone
            own = _mandate_measures(row, calendar)
            for score, at in ratings[row["id"]]:
                own.add(month_of(at, zone), "rating", int(score))
            for month in traced.get(row["id"], ()):
                own.add(month, "traced")
            contribution = Contribution()
            _both(own, contribution, row["department_id"])
            for sid, uid, at in signatures[row["id"]]:
                month = month_of(at, zone)
                contribution.add(month, "signatures")
                contribution.take_part(month, contributor(uid, "signature", sid))
            if row["published_at"] is not None and row["initiator_id"] is not None:
                contribution.take_part(
                    month_of(row["published_at"], zone), person(row["initiator_id"])
                )
            found[row["id"]] = (row["municipality_id"], contribution)
    return found


async def votes(conn: BaseDBAsyncClient, ids: Sequence[int], calendars: Calendars) -> Facts:
    """The voters of a vote: one ballot per person, in the month she first cast it."""
    found: Facts = {}
    for chunk in _chunks(ids):
        towns = dict(
            await Vote.filter(id__in=chunk).using_db(conn).values_list("id", "municipality_id")
        )
        await calendars.load(conn, towns.values())
        for vid, mid in towns.items():
            found[vid] = (mid, Contribution())
        for pid, vid, uid, at in (
            await Participation.filter(vote_id__in=chunk)
            .using_db(conn)
            .values_list("id", "vote_id", "user_id", "created_at")
        ):
            mid, contribution = found[vid]
            month = month_of(at, calendars[mid].zone)
            contribution.add(month, "ballots")
            contribution.take_part(month, contributor(uid, "ballot", pid))
    return found


def _decision_hours(flags: list[datetime], decisions: list[datetime]) -> list[tuple[datetime, int]]:
    """Each decision on open flags, with the whole hours since the first of them."""
    found = []
    waiting = sorted(flags)
    for decided in sorted(decisions):
        before = [at for at in waiting if at <= decided]
        if not before:
            continue
        hours = ceil((decided - before[0]).total_seconds() / 3600)
        found.append((decided, hours))
        waiting = [at for at in waiting if at > decided]
    return found


async def comments(conn: BaseDBAsyncClient, ids: Sequence[int], calendars: Calendars) -> Facts:
    """A comment (deleted ones too: it was posted), its flags, whether it was hidden, and
    how long the moderators took to decide on its flags."""
    found: Facts = {}
    for chunk in _chunks(ids):
        rows = (
            await Comment.filter(id__in=chunk)
            .using_db(conn)
            .values_list("id", "thread_id", "author_id", "created_at")
        )
        towns = dict(
            await Thread.filter(id__in={row[1] for row in rows})
            .using_db(conn)
            .values_list("id", "municipality_id")
        )
        await calendars.load(conn, towns.values())
        flags: dict[int, list[datetime]] = defaultdict(list)
        for cid, at in (
            await Flag.filter(comment_id__in=chunk)
            .using_db(conn)
            .values_list("comment_id", "created_at")
        ):
            flags[cid].append(at)
        decisions: dict[int, list[datetime]] = defaultdict(list)
        hidings: dict[int, list[datetime]] = defaultdict(list)
        for cid, action, at in (
            await ModerationEntry.filter(comment_id__in=chunk)
            .using_db(conn)
            .values_list("comment_id", "action", "created_at")
        ):
            if action in DECISIONS:
                decisions[cid].append(at)
            if action in HIDINGS:
                hidings[cid].append(at)
        for cid, thread_id, author_id, at in rows:
            mid = towns[thread_id]
            zone = calendars[mid].zone
            contribution = Contribution()
            month = month_of(at, zone)
            contribution.add(month, "comments")
            contribution.take_part(month, contributor(author_id, "comment", cid))
            for flagged in flags[cid]:
                contribution.add(month_of(flagged, zone), "flags")
            if hidings[cid]:
                contribution.add(month_of(min(hidings[cid]), zone), "hidden")
            for decided, hours in _decision_hours(flags[cid], decisions[cid]):
                contribution.add(month_of(decided, zone), "moderation_decision_hours", hours)
            found[cid] = (mid, contribution)
    return found


async def visits(conn: BaseDBAsyncClient, ids: Sequence[int], calendars: Calendars) -> Facts:
    """A reported visit, and how long the service took when the portal said both ends."""
    found: Facts = {}
    for chunk in _chunks(ids):
        rows = (
            await ServiceVisit.filter(id__in=chunk)
            .using_db(conn)
            .values_list(
                "id",
                "municipality_id",
                "service_type_id",
                "occurred_at",
                "requested_at",
                "completed_at",
            )
        )
        codes = await _codes(conn, {row[2] for row in rows})
        await calendars.load(conn, [row[1] for row in rows])
        for vid, mid, type_id, occurred, requested, completed in rows:
            calendar = calendars[mid]
            code = codes[type_id]
            contribution = Contribution()
            month = month_of(occurred, calendar.zone)
            contribution.add(month, "visits", service_type=code)
            if requested is not None and completed is not None:
                days = (calendar.local_date(completed) - calendar.local_date(requested)).days
                contribution.add(month, "service_duration_days", days, service_type=code)
            found[vid] = (mid, contribution)
    return found


async def _codes(conn: BaseDBAsyncClient, type_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        await ServiceType.filter(id__in=list(type_ids)).using_db(conn).values_list("id", "code")
    )


async def _moments(
    conn: BaseDBAsyncClient, municipality_id: int, users: list[int]
) -> dict[int, list[datetime]]:
    """When each of these people signed, voted or commented in the municipality."""
    found: dict[int, list[datetime]] = defaultdict(list)
    for uid, at in (
        await Signature.filter(user_id__in=users, mandate__municipality_id=municipality_id)
        .using_db(conn)
        .values_list("user_id", "created_at")
    ):
        found[uid].append(at)
    for uid, at in (
        await Participation.filter(user_id__in=users, vote__municipality_id=municipality_id)
        .using_db(conn)
        .values_list("user_id", "created_at")
    ):
        found[uid].append(at)
    for uid, at in (
        await Comment.filter(author_id__in=users, thread__municipality_id=municipality_id)
        .using_db(conn)
        .values_list("author_id", "created_at")
    ):
        found[uid].append(at)
    return found


async def invitations(conn: BaseDBAsyncClient, ids: Sequence[int], calendars: Calendars) -> Facts:
    """An invitation: whether the invitee took part within 14 days (as the funnel counts
    it), in the month it was sent, and her satisfaction score, in the month she gave it."""
    found: Facts = {}
    for chunk in _chunks(ids):
        rows = (
            await Invitation.filter(id__in=chunk)
            .using_db(conn)
            .values_list(
                "id",
                "municipality_id",
                "user_id",
                "sent_at",
                "score",
                "scored_at",
                "visit__service_type_id",
            )
        )
        codes = await _codes(conn, {row[6] for row in rows})
        await calendars.load(conn, [row[1] for row in rows])
        invitees: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            if row[2] is not None:
                invitees[row[1]].append(row[2])
        moments = {mid: await _moments(conn, mid, users) for mid, users in invitees.items()}
        for iid, mid, uid, sent, score, scored, type_id in rows:
            zone = calendars[mid].zone
            code = codes[type_id]
            until = sent + visit_rules.TOOK_PART_WITHIN
            took = uid is not None and any(
                sent <= at < until for at in moments.get(mid, {}).get(uid, [])
            )
            contribution = Contribution()
            contribution.add(
                month_of(sent, zone), "invitation_took_part", int(took), service_type=code
            )
            if score is not None and scored is not None:
                contribution.add(
                    month_of(scored, zone), "service_rating", int(score), service_type=code
                )
            if uid is not None:
                contribution.who.add(person(uid))
            found[iid] = (mid, contribution)
    return found


Compute = Callable[[BaseDBAsyncClient, Sequence[int], Calendars], Awaitable[Facts]]

KINDS: dict[str, Compute] = {
    "mandate": mandates,
    "vote": votes,
    "comment": comments,
    "visit": visits,
    "invitation": invitations,
}
