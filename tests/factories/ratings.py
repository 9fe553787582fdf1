"""Finished mandates with their co-signers, ready to be rated."""

from __future__ import annotations

from typing import cast

from participation.actors import Actor
from participation.mandates.models import Mandate, Signature, Status
from participation.municipalities.models import Municipality
from tests.factories.accounts import person, signed_in
from tests.factories.mandates import mandate


async def finished_mandate(
    town: Municipality, status: Status = Status.COMPLETED, initiator: Actor | None = None
) -> tuple[Mandate, list[Actor]]:
    """A mandate of `town` in `status` and everyone who co-signed it, the initiator first."""
    initiator = initiator or await person(name="Initiatorin", lives_in=town)
    finished = await mandate(initiator, town, status)
    user_ids = (
        await Signature.filter(mandate_id=finished.id)
        .order_by("id")
        .values_list("user_id", flat=True)
    )
    return finished, [await signed_in(user_id) for user_id in cast(list[int], user_ids)]
