"""Writing a ballot: the participation record and the secret ballot in one transaction.

Each cast takes a shared lock on the vote's row and checks, inside its transaction,
that the vote is open and its closing time not reached. Closing is an update of that
row, so it waits until every cast holding the lock has committed, and every cast
after it sees the vote closed: each ballot is either counted or refused, none is lost.

On PostgreSQL the whole cast is one statement (one round trip): the lock, the check
and the three writes are its common table expressions, and nothing is written when
the vote is not open. SQLite runs one writing transaction at a time, which gives the
same guarantee step by step.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.connection import connections

from participation import clock, unit
from participation.errors import Conflict, NotFound
from participation.messages import Message
from participation.outbox import events
from participation.sql import is_postgres, run
from participation.votes import secrecy
from participation.votes.models import VoteStatus

# No identity and no ballot content in the event: only that the turnout changed.
_EVENT = "votes:ballot:cast"

CAST_ONCE = f"""
WITH open AS (
    SELECT id, municipality_id FROM vote
    WHERE id = $1 AND status = 'open' AND ballot_key = $8
      AND (closes_at IS NULL OR closes_at > $3)
    FOR SHARE
), joined AS (
    INSERT INTO vote_participation (vote_id, user_id, created_at, updated_at)
    SELECT id, $2, $3, $3 FROM open
    ON CONFLICT (vote_id, user_id) DO UPDATE SET updated_at = excluded.updated_at
    RETURNING (xmax = 0) AS created
), stored AS (
    INSERT INTO vote_ballot (id, vote_id, slot, choices, receipt_digest)
    SELECT $4, id, $5, $6::jsonb, $7 FROM open
    ON CONFLICT (vote_id, slot) DO UPDATE SET
        id = excluded.id, choices = excluded.choices, receipt_digest = excluded.receipt_digest
), recorded AS (
    {events.INSERT}
    SELECT $9, 'vote', id, municipality_id, NULL, $10::jsonb, $3 FROM open
)
SELECT created FROM joined
"""

_VOTE = "SELECT status, closes_at, ballot_key, municipality_id FROM vote WHERE id = $1"
_JOIN = (
    "INSERT INTO vote_participation (vote_id, user_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $3) ON CONFLICT (vote_id, user_id) DO NOTHING RETURNING id"
)
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


async def cast(vote_id: int, user_id: int, choices: Any, ballot_key: str | None = None) -> Cast:
    """Store `choices` (already validated) as the person's one ballot in an open vote.

    `ballot_key` is the vote's key as the caller read it, if it did; it never changes
    while the vote is open, and the write checks it still stands. Raises NotFound and
    Conflict (not open, or past its closing time); nothing is written then.
    """
    receipt = secrecy.new_receipt()
    if is_postgres(connections.get("default")):
        async with unit.single_statement() as u:
            created = await _cast_once(u, vote_id, user_id, choices, receipt, ballot_key)
    else:
        async with unit.atomic() as u:
            created = await _cast_in_steps(u, vote_id, user_id, choices, receipt)
    return Cast(created=created, receipt=receipt, choices=choices)


async def _cast_once(
    u: unit.Unit,
    vote_id: int,
    user_id: int,
    choices: Any,
    receipt: str,
    key: str | None,
) -> bool:
    if key is None:
        rows = await run(u.conn, _VOTE, vote_id)
        if not rows:
            raise NotFound(Message("This vote does not exist."))
        key = rows[0]["ballot_key"]
    if key is not None:
        written = await run(
            u.conn,
            CAST_ONCE,
            vote_id,
            user_id,
            clock.now(),
            uuid.uuid4(),
            secrecy.slot(key, user_id),
            json.dumps(choices),
            secrecy.receipt_digest(receipt),
            key,
            _EVENT,
            json.dumps({"vote_id": vote_id}),
        )
        if written:
            u.wrote(1)
            return bool(written[0]["created"])
    # Refused: say why, from the vote as it is now.
    rows = await run(u.conn, _VOTE, vote_id)
    if not rows:
        raise NotFound(Message("This vote does not exist."))
    raise _refusal(rows[0], clock.now()) or Conflict(Message("This vote is not open for ballots."))


async def _cast_in_steps(
    u: unit.Unit, vote_id: int, user_id: int, choices: Any, receipt: str
) -> bool:
    rows = await run(u.conn, _VOTE, vote_id)
    if not rows:
        raise NotFound(Message("This vote does not exist."))
    vote = rows[0]
    now = clock.now()
    refusal = _refusal(vote, now)
    if refusal is not None:
        raise refusal
    joined = await run(u.conn, _JOIN, vote_id, user_id, now)
    if not joined:
        await run(u.conn, _RETURN, vote_id, user_id, now)
    await run(
        u.conn,
        _BALLOT,
        str(uuid.uuid4()),
        vote_id,
        secrecy.slot(vote["ballot_key"], user_id),
        json.dumps(choices),
        secrecy.receipt_digest(receipt),
    )
    await u.record(
        _EVENT, "vote", vote_id, municipality_id=vote["municipality_id"], vote_id=vote_id
    )
    return bool(joined)


def _refusal(vote: dict[str, Any], now: datetime) -> Conflict | None:
    """Why `vote` takes no ballot at `now`, or None if it does."""
    if vote["status"] != VoteStatus.OPEN or vote["ballot_key"] is None:
        return Conflict(Message("This vote is not open for ballots."), status_now=vote["status"])
    if vote["closes_at"] is not None and now >= aware(vote["closes_at"]):
        return Conflict(Message("This vote has closed."), status_now=vote["status"])
    return None
