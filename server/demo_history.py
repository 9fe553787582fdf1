"""The demo's history spread over the weeks it tells of, instead of the minute of seeding.

The seed runs every command at once, so every timeline entry would carry the same minute.
Afterwards each mandate's entries are given believable moments in the past, in the
order they were written: days or weeks apart, on working days, in office hours. The
records behind them are moved to agree: the mandate's own dates (published, submitted,
answer due, closed, first answer, promise kept), its signatures between publication and
each quorum milestone, official responses, ratings, and the votes on its timeline.
A fixed seed makes every demo the same. The municipality's feed keeps its order by id.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import datetime, timedelta
from typing import Any

from participation import clock
from participation.answers.models import OfficialResponse
from participation.mandates.models import Mandate, Rating, Signature
from participation.municipalities.models import Municipality
from participation.municipalities.queries import working_calendar
from participation.timeline.models import TimelineEntry
from participation.votes.models import Participation, Vote

SEED = 14

# Days between an entry and the one before it, as (fewest, most), by kind or kind:target.
GAPS: dict[str, tuple[float, float]] = {
    "status:collecting": (0.5, 3),
    "milestone": (2, 6),
    "status:submitted": (1, 4),
    "status:in_review": (0.5, 1.5),
    "status:accepted": (5, 12),
    "status:rejected": (5, 12),
    "status:in_progress": (7, 14),
    "status:completed": (30, 50),
    "assignment": (0.2, 1),
    "response": (0.3, 1),
    "vote:scheduled": (1, 3),
    "vote:open": (1, 2),
    "vote:closed": (5, 8),
    "vote:published": (0.05, 0.2),
    "cost_analysis": (3, 8),
    "measure": (2, 6),
    "measure_milestone": (1, 4),
    # A measure's change and the plan's new progress are one act.
    "progress": (0, 0.005),
    "ratings": (2, 6),
}
DEFAULT_GAP = (1.0, 3.0)
SOON = (0.01, 0.2)

# How many days before today each demo mandate's story ends, by title; others: one day.
ENDS: dict[str, float] = {
    "Digitale Terminvergabe im Bürgeramt": 20,
    "Parkhaus am Hafen abreißen": 10,
    "Bürgerauftrag Energieeffizienz in städtischen Gebäuden": 2,
    "Offene Bibliothek am Sonntag": 2,
}

# Office hours in UTC: 07:00 to 16:00, 08:00 to 17:00 in Berlin in winter.
OPENS, CLOSES = 7, 16


def _key(entry: TimelineEntry) -> str:
    target = entry.data.get("to") if entry.kind in ("status", "vote") else None
    return f"{entry.kind}:{target}" if target else entry.kind


def _office_hours(moment: datetime, rng: random.Random) -> datetime:
    """The moment, moved back into the office hours of its working day or the one before."""
    if moment.hour >= CLOSES:
        moment = moment.replace(hour=CLOSES - 1, minute=rng.randrange(60))
    elif moment.hour < OPENS:
        moment = (moment - timedelta(days=1)).replace(
            hour=rng.randrange(OPENS + 2, CLOSES), minute=rng.randrange(60)
        )
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    return moment


def schedule(keys: list[str], end: datetime, rng: random.Random) -> list[datetime]:
    """One moment per entry, in order, the last at `end`'s working day, each in office
    hours; worked out backwards from the last."""
    last = _office_hours(end.replace(hour=rng.randrange(OPENS, CLOSES), second=0), rng)
    if last > end:
        last = _office_hours(last - timedelta(days=1), rng)
    moments = [last]
    for before, key in reversed(list(zip(keys, keys[1:], strict=False))):
        # A decision announced with its answer follows it within hours.
        low, high = SOON if before == "response" else gap(key)
        days = rng.uniform(low, high)
        moment = moments[0] - timedelta(days=days, minutes=rng.randrange(2, 30))
        if days >= 0.3:
            # Another day: some time in its office hours.
            moment = moment.replace(hour=rng.randrange(OPENS, CLOSES), minute=rng.randrange(60))
            moment = _office_hours(moment, rng)
        elif moment.hour < OPENS:
            moment = moment.replace(hour=OPENS, minute=0)
        if moment >= moments[0]:
            moment = moments[0] - timedelta(minutes=rng.randrange(3, 40))
        moments.insert(0, moment.replace(microsecond=0))
    return moments


def gap(key: str) -> tuple[float, float]:
    return GAPS.get(key, GAPS.get(key.split(":")[0], DEFAULT_GAP))


async def spread_history(municipality: Municipality) -> None:
    """Give every mandate of `municipality` the history its timeline tells."""
    rng = random.Random(SEED)
    now = clock.now().replace(second=0, microsecond=0)
    calendar = await working_calendar(municipality)
    for mandate in await Mandate.filter(municipality_id=municipality.id).order_by("id"):
        entries = await TimelineEntry.filter(mandate_id=mandate.id).order_by("id")
        if not entries:
            continue
        end = now - timedelta(days=ENDS.get(mandate.title, 1))
        moments = schedule([_key(e) for e in entries], end, rng)
        for entry, moment in zip(entries, moments, strict=True):
            await TimelineEntry.filter(id=entry.id).update(created_at=moment)
        await _agree(mandate, entries, moments, calendar, municipality, now, rng)


async def _agree(
    mandate: Mandate,
    entries: list[TimelineEntry],
    moments: list[datetime],
    calendar: Any,
    municipality: Municipality,
    now: datetime,
    rng: random.Random,
) -> None:
    """Move the mandate's records to the moments of the entries that describe them."""
    at = {_key(e): m for e, m in reversed(list(zip(entries, moments, strict=True)))}
    changes: dict[str, Any] = {"created_at": moments[0]}
    if mandate.published_at is not None and "status:collecting" in at:
        published = at["status:collecting"]
        changes["published_at"] = published
        changes["closes_at"] = published + timedelta(days=municipality.signature_period_days)
    if mandate.submitted_at is not None and "status:submitted" in at:
        changes["submitted_at"] = at["status:submitted"]
        changes["answer_due_at"] = calendar.due_at(
            at["status:submitted"], municipality.service_promise_days
        )
    if mandate.closed_at is not None:
        final = [m for e, m in zip(entries, moments, strict=True) if e.kind == "status"]
        changes["closed_at"] = final[-1]
    responses = [(e, m) for e, m in zip(entries, moments, strict=True) if e.kind == "response"]
    for entry, moment in responses:
        await OfficialResponse.filter(id=entry.data["response_id"]).update(created_at=moment)
    if mandate.first_answer_at is not None and responses:
        first = responses[0][1]
        changes["first_answer_at"] = first
        due = changes.get("answer_due_at", mandate.answer_due_at)
        changes["promise_kept"] = None if due is None else first <= due
    await Mandate.filter(id=mandate.id).update(**changes)
    if "published_at" in changes:
        await _spread_signatures(mandate, entries, moments, changes, now, rng)
    if "ratings" in at:
        await Rating.filter(mandate_id=mandate.id).update(
            created_at=at["ratings"], updated_at=at["ratings"]
        )
    await _agree_votes(entries, moments)


async def _spread_signatures(
    mandate: Mandate,
    entries: list[TimelineEntry],
    moments: list[datetime],
    changes: dict[str, Any],
    now: datetime,
    rng: random.Random,
) -> None:
    """Signatures between publication and the end of collecting, each quorum milestone
    reached at the moment its entry says."""
    signatures = await Signature.filter(mandate_id=mandate.id).order_by("id")
    if not signatures:
        return
    last = changes.get("submitted_at") or min(now, changes["closes_at"])
    # (signatures so far, moment): the initiator's at publication, then each milestone.
    anchors = [(1, changes["published_at"])]
    for entry, moment in zip(entries, moments, strict=True):
        if entry.kind == "milestone" and entry.data.get("count", 0) > anchors[-1][0]:
            anchors.append((entry.data["count"], moment))
    if len(signatures) > anchors[-1][0]:
        anchors.append((len(signatures), last - timedelta(minutes=rng.randrange(5, 120))))
    counts = [c for c, _ in anchors]
    for number, signature in enumerate(signatures, 1):
        i = min(bisect_left(counts, number), len(anchors) - 1)
        if i == 0 or counts[i] == number:
            moment = anchors[i][1]
        else:
            (c0, t0), (c1, t1) = anchors[i - 1], anchors[i]
            moment = t0 + (t1 - t0) * ((number - c0) / (c1 - c0))
            if moment.hour < 7 and moment + timedelta(hours=8) < t1:
                moment += timedelta(hours=8)  # people sign in the day, not at four in the morning
        # A milestone's entry follows the signature that reached it.
        await Signature.filter(id=signature.id).update(
            created_at=moment - timedelta(seconds=rng.randrange(30, 300))
        )


async def _agree_votes(entries: list[TimelineEntry], moments: list[datetime]) -> None:
    """A vote on the timeline opens, closes and is published when its entries say."""
    moves: dict[int, dict[str, datetime]] = {}
    for entry, moment in zip(entries, moments, strict=True):
        if entry.kind == "vote" and "vote_id" in entry.data:
            moves.setdefault(entry.data["vote_id"], {})[entry.data["to"]] = moment
    for vote_id, when in moves.items():
        vote = await Vote.get(id=vote_id)
        changes: dict[str, Any] = {}
        if "scheduled" in when:
            changes["created_at"] = when["scheduled"] - timedelta(days=1)
        if "open" in when:
            changes["opens_at"] = when["open"]
        if "closed" in when:
            changes["closes_at"] = when["closed"]
            if vote.sealed_at is not None:
                changes["sealed_at"] = when["closed"]
        if "published" in when and vote.published_at is not None:
            changes["published_at"] = when["published"]
        await Vote.filter(id=vote_id).update(**changes)
        if "open" in when and "closed" in when:
            span = when["closed"] - when["open"]
            voters = Participation.filter(vote_id=vote_id).order_by("id")
            ids = await voters.values_list("id", flat=True)
            for n, participation_id in enumerate(ids, 1):
                cast = when["open"] + span * (n / (len(ids) + 1))
                await Participation.filter(id=participation_id).update(
                    created_at=cast, updated_at=cast
                )
