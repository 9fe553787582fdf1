"""Writing a ballot: the participation record and the secret ballot in one transaction.

Each cast takes a shared lock on the vote's row and checks, inside its transaction,
that the vote is open and its closing time not reached. Closing is an update of that
row, so it waits until every cast holding the lock has committed, and every cast
after it sees the vote closed: each ballot is either counted or refused, none is lost.
SQLite runs one writing transaction at a time, which gives the same guarantee.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from participation import clock
from participation.errors import Conflict, NotFound
from participation.outbox import events
from participation.sql import is_postgres, run
from participation.votes import secrecy
from participation.votes.models import VoteStatus

_VOTE = "SELECT status, closes_at, ballot_key FROM vote WHERE id = $1"

_JOIN = (
    "INSERT INTO vote_participation (vote_id, user_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $3) ON CONFLICT (vote_id, user_id) DO NOTHING RETURNING id"
)
# Locks the person's row, so two ballots of one person are written one after the other.
_RETURN = "UPDATE vote_participation SET updated_at = $3 WHERE vote_id = $1 AND user_id = $2"

# A replaced ballot gets a new id and receipt: nothing of the old one remains.
_BALLOT = (
    "INSERT INTO vote_ballot (id, vote_id, slot, choices, receipt_digest) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (vote_id, slot) DO UPDATE SET "
    "id = excluded.id, choices = excluded.choices, receipt_digest = excluded.receipt_digest"
)


@dataclass(frozen=True)
class Cast:
    created: bool
    """False when the ballot replaced the person's earlier one."""
    receipt: str
    choices: Any
    """The ballot as stored."""


def aware(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def cast(vote_id: int, user_id: int, choices: Any) -> Cast:
    """Store `choices` (already validated) as the person's one ballot in an open vote.

    Raises NotFound and Conflict (not open, or past its closing time); nothing is
    written then.
    """
    receipt = secrecy.new_receipt()
    async with in_transaction() as conn:
        lock = " FOR SHARE" if is_postgres(conn) else ""
        rows = await run(conn, _VOTE + lock, vote_id)
        if not rows:
            raise NotFound("This vote does not exist.")
        vote = rows[0]
        now = clock.now()
        if vote["status"] != VoteStatus.OPEN or vote["ballot_key"] is None:
            raise Conflict("This vote is not open for ballots.", status_now=vote["status"])
        if vote["closes_at"] is not None and now >= aware(vote["closes_at"]):
            raise Conflict("This vote has closed.", status_now=vote["status"])
        joined = await run(conn, _JOIN, vote_id, user_id, now)
        if not joined:
            await run(conn, _RETURN, vote_id, user_id, now)
        await run(
            conn,
            _BALLOT,
            str(uuid.uuid4()),
            vote_id,
            secrecy.slot(vote["ballot_key"], user_id),
            json.dumps(choices),
            secrecy.receipt_digest(receipt),
        )
        # No identity and no ballot content: only that the turnout changed.
        await events.append(conn, "votes:ballot:cast", vote_id=vote_id)
    events.nudge()
    return Cast(created=bool(joined), receipt=receipt, choices=choices)
