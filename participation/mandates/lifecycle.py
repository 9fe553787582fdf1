"""The mandate lifecycle on the shared kernel: its moves, who makes each, what each sets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum

from participation import clock
from participation import lifecycle as kernel
from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.timeline import entries
from participation.unit import Unit


class Mover(StrEnum):
    """Who makes a move: the person who launched it, the council, or the platform itself."""

    INITIATOR = "initiator"
    COUNCIL = "council"
    SYSTEM = "system"


Transition = kernel.Transition[Status, Mover]

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Status.COLLECTING, Mover.INITIATOR),
    Transition(Status.DRAFT, Status.WITHDRAWN, Mover.INITIATOR),
    Transition(Status.COLLECTING, Status.WITHDRAWN, Mover.INITIATOR),
    Transition(Status.COLLECTING, Status.SUBMITTED, Mover.SYSTEM),
    Transition(Status.COLLECTING, Status.EXPIRED, Mover.SYSTEM),
    Transition(Status.SUBMITTED, Status.IN_REVIEW, Mover.COUNCIL),
    Transition(Status.IN_REVIEW, Status.ACCEPTED, Mover.COUNCIL),
    Transition(Status.IN_REVIEW, Status.REJECTED, Mover.COUNCIL, needs_reason=True),
    Transition(Status.ACCEPTED, Status.IN_PROGRESS, Mover.COUNCIL),
    Transition(Status.IN_PROGRESS, Status.COMPLETED, Mover.COUNCIL),
)

PUBLIC = frozenset(Status) - {Status.DRAFT}
FINAL = frozenset({Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED})
REASON_MAX = 2000

LIFECYCLE = kernel.Lifecycle[Status, Mover](
    area="mandates",
    subject_type="mandate",
    model=Mandate,
    transitions=TRANSITIONS,
    events={
        Status.COLLECTING: "published",
        Status.SUBMITTED: "submitted",
        Status.IN_REVIEW: "reviewed",
        Status.ACCEPTED: "accepted",
        Status.IN_PROGRESS: "started",
        Status.COMPLETED: "completed",
        Status.REJECTED: "rejected",
        Status.WITHDRAWN: "withdrawn",
        Status.EXPIRED: "expired",
    },
    reasons=kernel.Reasons(
        max=REASON_MAX,
        too_long=Message("Reason must be at most %(max)s characters.", max=REASON_MAX),
        missing=Message("This decision needs a reason."),
    ),
    timeline=entries.record,
    conflict=Message("Someone else changed this mandate a moment ago; reload and try again."),
)

find = LIFECYCLE.find
moves_from = LIFECYCLE.moves_from
check_reason = LIFECYCLE.check_reason


async def move(
    unit: Unit,
    mandate: Mandate,
    target: Status,
    actor: Actor | None = None,
    reason: str | None = None,
    *,
    changes: Mapping[str, object] | None = None,
    **extra: object,
) -> None:
    """Make one move, with the dates it sets, and put it on the mandate's timeline.

    Raises Conflict if someone else moved the mandate first.
    """
    now = clock.now()
    dates: dict[str, object] = {}
    if target == Status.COLLECTING:
        municipality = await Municipality.get(id=mandate.municipality_id)
        dates.update(
            published_at=now, closes_at=now + timedelta(days=municipality.signature_period_days)
        )
    if target in FINAL:
        dates["closed_at"] = now
    await kernel.move(
        unit,
        LIFECYCLE,
        mandate,
        target,
        actor_id=actor.user_id if actor else None,
        reason=reason,
        changes={**dates, **(changes or {})},
        timeline=mandate.id,
        **extra,
    )
