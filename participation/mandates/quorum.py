"""The platform's own moves: announcing milestones, submitting on quorum, expiring.

No person triggers these directly: signers' commands call `check_quorum` after their
commit, and a job runs `expire_mandates` every minute.
"""

from __future__ import annotations

from datetime import datetime

from participation import clock, unit
from participation.errors import Conflict
from participation.mandates import counter, lifecycle, rules
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.municipalities.queries import working_calendar
from participation.timeline import entries as timeline


async def check_quorum(mandate_id: int, known: Mandate | None = None) -> tuple[int, Status]:
    """Announce milestones and submit on quorum, each exactly once.

    Returns the count and the status as far as this call knows it.

    Runs after the signature's own commit: whichever signer commits last reads a
    sum that includes every earlier signature, so a crossing is never missed, and
    the conditional updates below let only one of the racing signers record it.
    """
    total = await counter.total(mandate_id)
    mandate = known or await Mandate.get_or_none(id=mandate_id)
    if mandate is None or mandate.status != Status.COLLECTING:
        return total, Status(mandate.status) if mandate else Status.COLLECTING
    level = rules.milestone_reached(total, mandate.quorum)
    if level <= mandate.milestone:
        return total, Status.COLLECTING
    async with unit.atomic() as u:
        # Claim each milestone passed on its own, lowest first: under a burst the count
        # jumps past several between two checks, and claiming only the highest level
        # left the ones in between unannounced.
        for percent in rules.MILESTONES:
            if percent > level or percent <= mandate.milestone:
                continue
            claimed = (
                await Mandate.filter(id=mandate_id, status=Status.COLLECTING, milestone__lt=percent)
                .using_db(u.conn)
                .update(milestone=percent)
            )
            if claimed:
                await timeline.record(
                    u,
                    mandate_id,
                    "milestone",
                    "mandates:milestone:reached",
                    {"percent": percent, "count": total},
                    municipality_id=mandate.municipality_id,
                )
        if level >= 100:
            now = clock.now()
            changes = {
                "milestone": 100,
                "submitted_at": now,
                "answer_due_at": await _answer_due(mandate, now),
            }
            try:
                await lifecycle.move(u, mandate, Status.SUBMITTED, changes=changes, count=total)
            except Conflict:
                pass  # a racing signer's check submitted it first
    # Whoever recorded the crossing, reaching the quorum means the mandate is submitted now.
    return total, Status.SUBMITTED if level >= 100 else Status.COLLECTING


async def expire_mandates() -> int:
    """Close collecting mandates whose signature period ended; returns how many expired.

    A mandate that did reach its quorum is submitted instead, which also repairs a
    crossing whose follow-up check was lost to a crash.
    """
    # Every minute over every collecting mandate: leave the long texts in the database.
    collecting = await Mandate.filter(status=Status.COLLECTING).only(
        "id", "status", "quorum", "milestone", "closes_at", "municipality_id"
    )
    totals = await counter.totals([mandate.id for mandate in collecting])
    expired = 0
    for mandate in collecting:
        if rules.milestone_reached(totals[mandate.id], mandate.quorum) > mandate.milestone:
            await check_quorum(mandate.id, known=mandate)
            continue
        if mandate.closes_at is None or mandate.closes_at > clock.now():
            continue
        try:
            async with unit.atomic() as u:
                await lifecycle.move(u, mandate, Status.EXPIRED)
        except Conflict:
            continue  # signed to the quorum or withdrawn a moment ago
        expired += 1
    return expired


async def _answer_due(mandate: Mandate, submitted_at: datetime) -> datetime:
    """The service promise: its working days from the submission, in the municipality's
    calendar (participation/municipalities/calendar.py)."""
    municipality = await Municipality.get(id=mandate.municipality_id)
    calendar = await working_calendar(municipality)
    return calendar.due_at(submitted_at, municipality.service_promise_days)
