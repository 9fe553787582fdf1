"""The vote lifecycle as data: which moves exist and who may make each. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from participation.votes.models import VoteStatus


class Mover(StrEnum):
    """Who makes a move: the person who proposed the vote, the council, or the platform."""

    OWNER = "owner"
    COUNCIL = "council"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    source: VoteStatus
    target: VoteStatus
    mover: Mover
    needs_reason: bool = False


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

# Event names: `votes:vote:<name>`, in the past tense the brief and other areas use.
EVENT_NAMES = {target: target.value for target in VoteStatus} | {
    VoteStatus.DRAFT: "unscheduled",
    VoteStatus.OPEN: "opened",
}


def find(
    source: VoteStatus, target: VoteStatus, movers: frozenset[Mover] | set[Mover]
) -> Transition | None:
    """The move from `source` to `target` that one of `movers` may make, if any."""
    for transition in TRANSITIONS:
        if (transition.source, transition.target) == (source, target):
            if transition.mover in movers:
                return transition
    return None


def moves_from(source: VoteStatus, movers: frozenset[Mover] | set[Mover]) -> list[Transition]:
    """The moves open from `source` to anyone in `movers`, one per target, in order."""
    seen: dict[VoteStatus, Transition] = {}
    for transition in TRANSITIONS:
        if transition.source == source and transition.mover in movers:
            seen.setdefault(transition.target, transition)
    return list(seen.values())
