"""The vote lifecycle on the shared kernel: its moves, who makes each, how each is recorded."""

from __future__ import annotations

from enum import StrEnum

from participation import clock
from participation import lifecycle as kernel
from participation.actors import Actor
from participation.messages import Message
from participation.timeline import entries
from participation.unit import Unit
from participation.votes.models import Vote, VoteStatus


class Mover(StrEnum):
    """Who makes a move: the person who proposed the vote, the council, or the platform."""

    OWNER = "owner"
    COUNCIL = "council"
    SYSTEM = "system"


Transition = kernel.Transition[VoteStatus, Mover]

_S = VoteStatus

# An initiator's vote needs the council's consent: only the council schedules and opens.
# Closing early ends a vote before the time everyone was told, so it needs a public reason.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(_S.DRAFT, _S.SCHEDULED, Mover.COUNCIL),
    Transition(_S.DRAFT, _S.CANCELLED, Mover.COUNCIL, needs_reason=True),
    Transition(_S.DRAFT, _S.CANCELLED, Mover.OWNER, needs_reason=True),
    Transition(_S.SCHEDULED, _S.DRAFT, Mover.COUNCIL),
    Transition(_S.SCHEDULED, _S.OPEN, Mover.COUNCIL),
    Transition(_S.SCHEDULED, _S.OPEN, Mover.SYSTEM),
    Transition(_S.SCHEDULED, _S.CANCELLED, Mover.COUNCIL, needs_reason=True),
    Transition(_S.OPEN, _S.CLOSED, Mover.COUNCIL, needs_reason=True),
    Transition(_S.OPEN, _S.CLOSED, Mover.SYSTEM),
    Transition(_S.OPEN, _S.CANCELLED, Mover.COUNCIL, needs_reason=True),
    Transition(_S.CLOSED, _S.PUBLISHED, Mover.COUNCIL),
    Transition(_S.CLOSED, _S.PUBLISHED, Mover.SYSTEM),
)

# From closing on, the receipt digests are public and no ballot changes any more.
COUNTED = frozenset({VoteStatus.CLOSED, VoteStatus.PUBLISHED})
REASON_MAX = 2000

LIFECYCLE = kernel.Lifecycle[VoteStatus, Mover](
    area="votes",
    subject_type="vote",
    model=Vote,
    transitions=TRANSITIONS,
    events={
        _S.DRAFT: "unscheduled",
        _S.SCHEDULED: "scheduled",
        _S.OPEN: "opened",
        _S.CLOSED: "closed",
        _S.PUBLISHED: "published",
        _S.CANCELLED: "cancelled",
    },
    reasons=kernel.Reasons(
        max=REASON_MAX,
        too_long=Message("The reason must be at most %(max)s characters.", max=REASON_MAX),
        missing=Message("This move needs a reason."),
    ),
    timeline=entries.record,
    conflict=Message("Someone else changed this vote a moment ago; reload and try again."),
    entry_kind="vote",
)

find = LIFECYCLE.find
moves_from = LIFECYCLE.moves_from
check_reason = LIFECYCLE.check_reason


async def move(
    unit: Unit,
    vote: Vote,
    target: VoteStatus,
    actor: Actor | None,
    reason: str | None = None,
    **changes: object,
) -> None:
    """Make one move, and put it on the timeline of the vote's mandate if it is public.

    Raises Conflict if someone else moved the vote first.
    """
    # A draft was never public: its cancellation stays off the mandate's timeline.
    public = vote.status != VoteStatus.DRAFT or target == VoteStatus.SCHEDULED
    await kernel.move(
        unit,
        LIFECYCLE,
        vote,
        target,
        actor_id=actor.user_id if actor else None,
        reason=reason,
        changes={"updated_at": clock.now(), **changes},
        timeline=vote.mandate_id if public else None,
        vote_id=vote.id,
        title=vote.title,
    )
