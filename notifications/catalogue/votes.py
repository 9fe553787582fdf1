"""Priority votes: opened, closing tomorrow and their results, told to those who follow
the vote, its mandate or its district."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.audience import Query, followers, mandate_people, nobody
from notifications.catalogue.facts import facts
from notifications.kinds import Category, Fanout, Kind
from participation.outbox.envelope import Event
from participation.votes.models import Vote


async def _vote(vote_id: int) -> Vote | None:
    return await Vote.get_or_none(id=vote_id).only(
        "id", "title", "mandate_id", "district_id", "closes_at"
    )


async def concerned(event: Event) -> Fanout:
    """Followers of the vote and of its district, and its mandate's people."""
    query = Query()
    vote = await _vote(event.subject_id)
    if vote is None:
        return query.add(nobody()).fanout()
    query.add(followers("vote", query.text(str(vote.id))))
    if vote.mandate_id is not None:
        query.add(*mandate_people(query, vote.mandate_id))
    if vote.district_id is not None:
        query.add(followers("district", query.text(str(vote.district_id))))
    return query.fanout()


async def vote_data(event: Event) -> dict[str, Any]:
    vote = await _vote(event.subject_id)
    closes_at = vote.closes_at.isoformat() if vote and vote.closes_at else None
    title = vote.title if vote else ""
    return await facts(event, title, f"/votes/{event.subject_id}", closes_at=closes_at)


KINDS = (
    Kind("votes:vote:opened", Category.VOTES, concerned, vote_data),
    Kind("votes:vote:closing", Category.VOTES, concerned, vote_data),
    Kind("votes:vote:published", Category.VOTES, concerned, vote_data),
)
