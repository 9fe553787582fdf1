"""Who stands how towards a vote; the engine is participation.permissions."""

from __future__ import annotations

from dataclasses import replace

from participation.actors import Actor
from participation.mandates import lifecycle as mandate_lifecycle
from participation.mandates.models import Mandate
from participation.municipalities.queries import place_of
from participation.permissions import Level, Place, may
from participation.votes.actions import CAST_BALLOT, MANAGE_VOTE, PROPOSE_VOTE
from participation.votes.lifecycle import Mover
from participation.votes.models import Vote, VoteStatus

# A vote on a mandate the council has not dropped: not a draft, not ended.
VOTABLE_MANDATES = frozenset(mandate_lifecycle.PUBLIC - mandate_lifecycle.FINAL)


def _place(vote: Vote) -> Place:
    return Place(vote.municipality_id, district_id=vote.district_id)


def is_council(actor: Actor | None, vote: Vote) -> bool:
    return may(actor, MANAGE_VOTE, _place(vote))


def movers_for(actor: Actor | None, vote: Vote) -> frozenset[Mover]:
    """The capacities in which `actor` stands towards `vote`."""
    movers = set()
    if actor is not None and actor.user_id == vote.created_by_id:
        movers.add(Mover.OWNER)
    if is_council(actor, vote):
        movers.add(Mover.COUNCIL)
    return frozenset(movers)


def may_prepare(actor: Actor | None, vote: Vote) -> bool:
    """The council and the person who proposed the vote prepare its draft."""
    return may(actor, PROPOSE_VOTE, _place(vote), owner_id=vote.created_by_id)


def may_view(actor: Actor | None, vote: Vote) -> bool:
    """Drafts are seen only by those who prepare them."""
    return vote.status != VoteStatus.DRAFT or may_prepare(actor, vote)


def may_edit(actor: Actor | None, vote: Vote) -> bool:
    return vote.status == VoteStatus.DRAFT and may_prepare(actor, vote)


async def ballot_place(vote: Vote) -> Place:
    """Where a ballot is cast: the vote's district, at the vote's own eligibility level."""
    place = await place_of(vote.municipality_id, vote.district_id)
    levels = {**place.levels, CAST_BALLOT: Level(vote.eligibility_level)}
    return replace(place, levels=levels)


def may_propose_on(actor: Actor | None, mandate: Mandate) -> bool:
    """Whether `actor` may prepare a vote on `mandate` now: the council, or its initiator."""
    if mandate.status not in VOTABLE_MANDATES:
        return False
    place = Place(mandate.municipality_id)
    return may(actor, MANAGE_VOTE, place) or may(
        actor, PROPOSE_VOTE, place, owner_id=mandate.initiator_id
    )
