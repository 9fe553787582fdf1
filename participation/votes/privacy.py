"""The votes area's part in a person's export (see accounts.privacy).

The export says in which votes she took part and which she proposed. It holds her
ballot only while a vote is open: from closing on, ballots are no longer looked up by
person, and once the result is published nobody can link them to anyone. On deletion
her participation stays as an anonymous row and her ballots stay counted, as
signatures do, so no turnout or result changes.
"""

from __future__ import annotations

from typing import Any

from participation.votes import secrecy
from participation.votes.models import Ballot, Participation, Vote, VoteStatus


async def votes_taken_part_in(user_id: int) -> list[dict[str, Any]]:
    taken = []
    for participation in (
        await Participation.filter(user_id=user_id).order_by("id").prefetch_related("vote")
    ):
        vote = participation.vote
        entry: dict[str, Any] = {
            "vote_id": vote.id,
            "title": vote.title,
            "status": vote.status,
            "first_ballot_at": participation.created_at,
            "last_ballot_at": participation.updated_at,
        }
        if vote.status == VoteStatus.OPEN and vote.ballot_key is not None:
            slot = secrecy.slot(vote.ballot_key, user_id)
            ballot = await Ballot.get_or_none(vote_id=vote.id, slot=slot)
            entry["current_ballot"] = ballot.choices if ballot else None
        taken.append(entry)
    return taken


async def votes_proposed(user_id: int) -> list[dict[str, Any]]:
    return [
        {"id": vote_id, "title": title, "status": status, "created_at": at}
        for vote_id, title, status, at in await Vote.filter(created_by_id=user_id)
        .order_by("id")
        .values_list("id", "title", "status", "created_at")
    ]
