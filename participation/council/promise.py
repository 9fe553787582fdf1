"""The service promise's clock: "due tomorrow" and "overdue", each once per mandate.

Runs every minute (by the arq worker, or the web process without Redis), possibly in
several processes at once. Each event is claimed by a conditional UPDATE on its own
column (`promise_reminded_at`, `promise_overdue_at` still NULL, no first answer yet) in
the transaction that records it, so exactly one run records it: on PostgreSQL a second
UPDATE waits for the first's commit and then finds the column set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from participation import clock, unit
from participation.mandates.models import Mandate
from participation.mandates.promise import OPEN
from participation.municipalities.calendar import WorkingCalendar
from participation.municipalities.models import Municipality
from participation.municipalities.queries import working_calendar
from participation.timeline import entries as timeline

# The reminder comes at the start of the last working day before the due day; around
# Easter or Christmas that is a few days earlier, never a month.
REMINDER_LOOKAHEAD = timedelta(days=32)
_COLUMNS = ("id", "municipality_id", "answer_due_at")


async def watch_promises() -> dict[str, int]:
    """Record due-tomorrow reminders and missed promises that are due; returns how many."""
    now = clock.now()
    return {"reminded": await remind(now), "missed": await record_missed(now)}


async def record_missed(now: datetime) -> int:
    late = await Mandate.filter(
        status__in=list(OPEN),
        first_answer_at__isnull=True,
        promise_overdue_at__isnull=True,
        answer_due_at__lt=now,
    ).only(*_COLUMNS)
    recorded = 0
    for mandate in late:
        async with unit.atomic() as u:
            claimed = (
                await Mandate.filter(
                    id=mandate.id,
                    status__in=list(OPEN),
                    first_answer_at__isnull=True,
                    promise_overdue_at__isnull=True,
                )
                .using_db(u.conn)
                .update(promise_overdue_at=now)
            )
            if not claimed:
                continue  # answered, closed, or recorded by another process a moment ago
            assert mandate.answer_due_at is not None
            await timeline.record(
                u,
                mandate.id,
                "promise_missed",
                "council:promise:missed",
                {"due_at": mandate.answer_due_at.isoformat()},
                municipality_id=mandate.municipality_id,
            )
            recorded += 1
    return recorded


async def remind(now: datetime) -> int:
    soon = await Mandate.filter(
        status__in=list(OPEN),
        first_answer_at__isnull=True,
        promise_reminded_at__isnull=True,
        answer_due_at__gte=now,
        answer_due_at__lte=now + REMINDER_LOOKAHEAD,
    ).only(*_COLUMNS)
    calendars: dict[int, WorkingCalendar] = {}
    recorded = 0
    for mandate in soon:
        assert mandate.answer_due_at is not None
        calendar = calendars.get(mandate.municipality_id)
        if calendar is None:
            municipality = await Municipality.get(id=mandate.municipality_id)
            calendar = calendars[mandate.municipality_id] = await working_calendar(municipality)
        if now < calendar.reminder_at(mandate.answer_due_at):
            continue
        async with unit.atomic() as u:
            claimed = (
                await Mandate.filter(
                    id=mandate.id,
                    status__in=list(OPEN),
                    first_answer_at__isnull=True,
                    promise_reminded_at__isnull=True,
                )
                .using_db(u.conn)
                .update(promise_reminded_at=now)
            )
            if not claimed:
                continue
            await u.record(
                "council:promise:reminded",
                "mandate",
                mandate.id,
                municipality_id=mandate.municipality_id,
                mandate_id=mandate.id,
                due_at=mandate.answer_due_at.isoformat(),
            )
            recorded += 1
    return recorded
