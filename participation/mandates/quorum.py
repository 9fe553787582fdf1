"""The platform's own moves: announcing milestones, submitting on quorum, expiring.

No person triggers these directly: signers' commands call `check_quorum` after their
commit, and a job runs `expire_mandates` every minute.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from participation import clock
from participation.mandates import counter, moves, rules
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.outbox import events
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
    async with in_transaction() as conn:
        # Claim each milestone passed on its own, lowest first: under a burst the count
        # jumps past several between two checks, and claiming only the highest level
        # left the ones in between unannounced.
        announced = False
        for percent in rules.MILESTONES:
            if percent > level or percent <= mandate.milestone:
                continue
            claimed = (
                await Mandate.filter(id=mandate_id, status=Status.COLLECTING, milestone__lt=percent)
                .using_db(conn)
                .update(milestone=percent)
            )
            if claimed:
                announced = True
                await timeline.record(
                    conn,
                    mandate_id,
                    "milestone",
                    "mandates:milestone:reached",
                    {"percent": percent, "count": total},
                )
        moved = 0
        now = clock.now()
        if level >= 100:
            moved = (
                await Mandate.filter(id=mandate_id, status=Status.COLLECTING)
                .using_db(conn)
                .update(
                    status=Status.SUBMITTED,
                    milestone=100,
                    submitted_at=now,
                    answer_due_at=now + timedelta(days=await _promise_days(mandate)),
                )
            )
            if moved:
                await moves.record(
                    conn, mandate, Status.COLLECTING, Status.SUBMITTED, None, None, count=total
                )
    if moved or announced:
        events.nudge()
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
        async with in_transaction() as conn:
            moved = (
                await Mandate.filter(id=mandate.id, status=Status.COLLECTING)
                .using_db(conn)
                .update(status=Status.EXPIRED, closed_at=clock.now())
            )
            if moved:
                await moves.record(conn, mandate, Status.COLLECTING, Status.EXPIRED, None, None)
                expired += 1
    if expired:
        events.nudge()
    return expired


async def _promise_days(mandate: Mandate) -> int:
    municipality = await Municipality.get(id=mandate.municipality_id)
    return municipality.service_promise_days
