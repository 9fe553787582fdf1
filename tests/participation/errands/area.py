"""A throw-away area, declared the way every area of participation/ is: a model, one
action, one command that makes a move and records its event, and one consumer.

Nothing outside this package names it; `participation.areas.register(AREA)` is all
that wires it in (real areas are found by scanning instead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from participation import lifecycle, unit
from participation.actors import Actor
from participation.areas import Area
from participation.municipalities.queries import place_of
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event
from participation.permissions import Action, Need, Role, require
from tests.participation.errands.models import Errand, ErrandStatus


class Mover(StrEnum):
    COUNCIL = "council"


FINISH_ERRAND = Action("errand:finish", Need(roles=frozenset({Role.COUNCIL})))

LIFECYCLE = lifecycle.Lifecycle[ErrandStatus, Mover](
    area="errands",
    subject_type="errand",
    model=Errand,
    transitions=(lifecycle.Transition(ErrandStatus.OPEN, ErrandStatus.DONE, Mover.COUNCIL),),
    events={ErrandStatus.DONE: "finished"},
    reasons=lifecycle.Reasons(max=200, too_long="Too long.", missing="Say why."),
    conflict="Someone else moved this errand.",
)


async def finish(actor: Actor | None, errand_id: int) -> None:
    """The area's one command: the council marks an errand done."""
    errand = await Errand.get(id=errand_id)
    require(actor, FINISH_ERRAND, await place_of(errand.municipality_id))
    assert actor is not None
    async with unit.atomic() as u:
        await lifecycle.move(
            u, LIFECYCLE, errand, ErrandStatus.DONE, actor_id=actor.user_id, errand_id=errand.id
        )


SEEN: list[Event] = []


async def remember(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    SEEN.extend(batch)


AREA = Area(
    name="errands",
    models="tests.participation.errands.models",
    actions=(FINISH_ERRAND,),
    events=LIFECYCLE.catalogue(("from", "to", "errand_id")),
    consumers=(Consumer("errands:seen", {"errands:*": remember}),),
)
