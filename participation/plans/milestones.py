"""Milestones reach the timeline on their day, in the municipality's time zone, once each.

A milestone dated today or earlier goes on the timeline when it is added; later ones are
put there by the clock job (`reach_milestones`, every minute) once their day has begun
where the municipality is. Each is claimed by a conditional update of `reached_at`, in the
unit that writes its entry, so concurrent runs (two workers, or a run racing the command)
put it there exactly once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from participation import clock, unit
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.plans.models import Measure, MeasureMilestone, MeasureStatus
from participation.timeline import entries as timeline
from participation.unit import Unit

log = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "Europe/Berlin"
# Mandates whose plan no longer runs: their milestones are not announced.
CLOSED = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED})
BATCH = 500


def time_zone(municipality: Municipality) -> ZoneInfo:
    """The municipality's time zone (Europe/Berlin unless it set another)."""
    name = getattr(municipality, "time_zone", None) or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("municipality %s: unknown time zone %r", municipality.id, name)
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_today(municipality: Municipality, now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(time_zone(municipality)).date()


def milestone_data(milestone: MeasureMilestone, measure: Measure) -> dict[str, object]:
    return {
        "milestone_id": milestone.id,
        "title": milestone.title,
        "date": milestone.date.isoformat(),
        "description_html": milestone.description_html,
        "measure_id": measure.id,
        "measure_title": measure.title,
    }


async def reach(
    u: Unit,
    milestone: MeasureMilestone,
    measure: Measure,
    mandate: Mandate,
    actor_id: int | None = None,
) -> bool:
    """Mark the milestone reached and put it on the timeline, unless that happened already."""
    now = clock.now()
    claimed = (
        await MeasureMilestone.filter(id=milestone.id, reached_at__isnull=True)
        .using_db(u.conn)
        .update(reached_at=now)
    )
    if not claimed:
        return False
    milestone.reached_at = now
    await timeline.record(
        u,
        mandate.id,
        "measure_milestone",
        "plans:milestone:reached",
        milestone_data(milestone, measure),
        municipality_id=mandate.municipality_id,
        actor_id=actor_id,
    )
    return True


async def reach_milestones() -> int:
    """Put every milestone whose day has come on its mandate's timeline; returns how many.

    A milestone of a dropped measure, or of a mandate rejected, withdrawn or expired, is
    not announced. A failure with one milestone is logged and retried on the next run.
    """
    now = clock.now()
    # No time zone is more than a day ahead of UTC: later dates cannot have come anywhere.
    horizon = (now + timedelta(days=1)).date()
    due = (
        await MeasureMilestone.filter(reached_at__isnull=True, date__lte=horizon)
        .exclude(measure__status=MeasureStatus.DROPPED)
        .exclude(measure__mandate__status__in=list(CLOSED))
        .order_by("date", "id")
        .limit(BATCH)
    )
    if not due:
        return 0
    measures = {m.id: m for m in await Measure.filter(id__in={d.measure_id for d in due})}
    mandates = {
        m.id: m for m in await Mandate.filter(id__in={m.mandate_id for m in measures.values()})
    }
    towns = {
        t.id: t
        for t in await Municipality.filter(id__in={m.municipality_id for m in mandates.values()})
    }
    reached = 0
    for milestone in due:
        measure = measures[milestone.measure_id]
        mandate = mandates[measure.mandate_id]
        if milestone.date > local_today(towns[mandate.municipality_id], now):
            continue
        try:
            async with unit.atomic() as u:
                reached += await reach(u, milestone, measure, mandate)
        except Exception:
            log.exception("milestone %s could not be put on the timeline", milestone.id)
    return reached
