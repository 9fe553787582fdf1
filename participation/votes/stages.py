"""What opening, closing, publishing and cancelling do beyond changing the status.

Each runs in one unit of work and is conditional on the status it starts from, so the
council and the clock job racing each other move a vote once. Permission checks are
the caller's: commands check people, the clock job is the platform.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from functools import partial
from typing import Any

from participation import clock, unit
from participation.actors import Actor
from participation.sql import run
from participation.votes import lifecycle, outcome, secrecy, storage
from participation.votes.models import Ballot, PublishedBallot, Vote, VoteStatus
from participation.votes.queries import choices_of, parameters_of

_shuffler = random.SystemRandom()
REWRITE_BATCH = 1000


async def open_vote(vote: Vote, actor: Actor | None) -> None:
    """Open for ballots with a fresh ballot key; "open now" moves the opening time."""
    changes: dict[str, Any] = {"ballot_key": secrecy.new_ballot_key()}
    now = clock.now()
    if vote.opens_at is None or vote.opens_at > now:
        changes["opens_at"] = now
    async with unit.atomic() as u:
        await lifecycle.move(u, vote, VoteStatus.OPEN, actor, **changes)


async def close_vote(vote: Vote, actor: Actor | None, reason: str | None = None) -> int:
    """Close, erase the ballot key and count the turnout; returns it.

    The status update waits for the shared locks of casts in flight (see casting), and
    the count runs after it in the same transaction, so it includes every one of them.
    """
    now = clock.now()
    # No ballot can change after closing, so the key that links slots to people goes now,
    # not only at publication, which may fail or wait.
    changes: dict[str, Any] = {"ballot_key": None}
    if vote.closes_at is None or vote.closes_at > now:
        changes["closes_at"] = now
    async with unit.atomic() as u:
        await lifecycle.move(u, vote, VoteStatus.CLOSED, actor, reason, **changes)
        rows = await run(
            u.conn, "SELECT count(*) AS n FROM vote_ballot WHERE vote_id = $1", vote.id
        )
        turnout = int(rows[0]["n"])
        await Vote.filter(id=vote.id).using_db(u.conn).update(turnout=turnout)
    return turnout


async def publish_vote(vote: Vote, actor: Actor | None) -> dict[str, Any]:
    """Count the ballots, publish the result and move the ballots; returns the result.

    The ballots move out of the ballot box into `PublishedBallot` in random order with
    new ids and no slot, so neither their storage order nor a slot computed earlier
    links them to anyone; sealing then clears what the box still holds of them.
    """
    options = await choices_of(vote.id)
    rows = await Ballot.filter(vote_id=vote.id).values_list("choices", "receipt_digest")
    ballots = [choices for choices, _ in rows]
    # Counting a large vote takes a while; the event loop keeps serving meanwhile.
    result = await asyncio.to_thread(
        outcome.result_of, parameters_of(vote), options, ballots, vote.min_turnout
    )
    shuffled = list(rows)
    _shuffler.shuffle(shuffled)
    async with unit.atomic() as u:
        await lifecycle.move(
            u,
            vote,
            VoteStatus.PUBLISHED,
            actor,
            result=result,
            ballot_key=None,
            turnout=len(ballots),
            published_at=clock.now(),
        )
        await run(u.conn, "DELETE FROM vote_ballot WHERE vote_id = $1", vote.id)
        await PublishedBallot.bulk_create(
            [
                PublishedBallot(
                    id=uuid.uuid4(), vote_id=vote.id, choices=choices, receipt_digest=digest
                )
                for choices, digest in shuffled
            ],
            batch_size=REWRITE_BATCH,
            using_db=u.conn,
        )
        u.after_commit(partial(storage.seal_after, vote.id))
    return result


async def cancel_vote(vote: Vote, actor: Actor | None, reason: str) -> None:
    """Cancel with a public reason; ballots of a cancelled vote are never counted, so
    they are deleted together with the key, and sealing clears what they left."""
    opened = vote.status == VoteStatus.OPEN
    # A vote that never opened has no ballots: nothing to seal.
    sealed = {} if opened else {"sealed_at": clock.now()}
    async with unit.atomic() as u:
        await lifecycle.move(
            u,
            vote,
            VoteStatus.CANCELLED,
            actor,
            reason,
            cancel_reason=reason,
            ballot_key=None,
            **sealed,
        )
        await run(u.conn, "DELETE FROM vote_ballot WHERE vote_id = $1", vote.id)
        if opened:
            u.after_commit(partial(storage.seal_after, vote.id))
