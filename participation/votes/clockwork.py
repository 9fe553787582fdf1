"""The platform's own moves: opening, closing and publishing votes when their time comes.

A job runs `advance_votes` every minute. Between two runs, `catch_up` makes a vote
whose time has come open or close the moment someone looks at it or casts a ballot,
so nobody is refused at the opening time or sees a vote open past its closing time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from participation import clock
from participation.errors import Conflict
from participation.votes import stages, storage
from participation.votes.models import Vote, VoteStatus

log = logging.getLogger(__name__)


async def catch_up(vote: Vote) -> Vote:
    """Open or close `vote` if its time has come; the vote as it is now."""
    now = clock.now()
    try:
        if vote.status == VoteStatus.SCHEDULED and vote.opens_at and vote.opens_at <= now:
            await stages.open_vote(vote, None)
        elif vote.status == VoteStatus.OPEN and vote.closes_at and vote.closes_at <= now:
            await stages.close_vote(vote, None)
        else:
            return vote
    except Conflict:
        pass  # someone else moved it first
    return await Vote.get(id=vote.id)


async def advance_votes() -> dict[str, int]:
    """Open and close the votes that are due, and publish every closed one.

    Returns how many votes each step moved. A vote whose count fails stays closed, is
    logged, and is tried again on the next run; so is the sealing of a finished vote.
    """
    now = clock.now()
    moved = {"opened": 0, "closed": 0, "published": 0}
    for vote in await Vote.filter(status=VoteStatus.SCHEDULED, opens_at__lte=now):
        if await _attempt(stages.open_vote(vote, None)):
            moved["opened"] += 1
    for vote in await Vote.filter(status=VoteStatus.OPEN, closes_at__lte=now):
        if await _attempt(stages.close_vote(vote, None)):
            moved["closed"] += 1
    for vote in await Vote.filter(status=VoteStatus.CLOSED):
        try:
            await stages.publish_vote(vote, None)
        except Conflict:
            continue
        except Exception:
            log.exception("publishing vote %s failed", vote.id)
            continue
        moved["published"] += 1
    try:
        await storage.seal_pending()
    except Exception:
        log.exception("sealing finished votes failed")
    return moved


async def _attempt(step: Awaitable[object]) -> bool:
    try:
        await step
    except Conflict:
        return False
    return True
