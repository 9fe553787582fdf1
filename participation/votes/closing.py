""" "Closes tomorrow": announced once per open vote, a day before it closes.

Runs every few minutes, possibly in several processes at once: each vote is claimed by
a conditional UPDATE of `closing_announced_at` in the transaction that records the
event, so one run records it, as the service promise's reminders are claimed.
"""

from __future__ import annotations

from datetime import timedelta

from participation import clock, unit
from participation.votes.models import Vote, VoteStatus

AHEAD = timedelta(days=1)


async def announce_closing() -> int:
    """Record `votes:vote:closing` for open votes closing within a day; returns how many."""
    now = clock.now()
    soon = await Vote.filter(
        status=VoteStatus.OPEN,
        closing_announced_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + AHEAD,
    ).only("id", "municipality_id", "closes_at")
    announced = 0
    for vote in soon:
        async with unit.atomic() as u:
            claimed = (
                await Vote.filter(
                    id=vote.id, status=VoteStatus.OPEN, closing_announced_at__isnull=True
                )
                .using_db(u.conn)
                .update(closing_announced_at=now)
            )
            if not claimed:
                continue
            assert vote.closes_at is not None
            await u.record(
                "votes:vote:closing",
                "vote",
                vote.id,
                municipality_id=vote.municipality_id,
                vote_id=vote.id,
                closes_at=vote.closes_at.isoformat(),
            )
            announced += 1
    return announced
