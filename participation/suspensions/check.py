"""Whether an account is suspended in a municipality: every writing command asks."""

from __future__ import annotations

from participation import clock
from participation.actors import Actor
from participation.errors import PermissionDenied
from participation.messages import Message
from participation.suspensions.models import Suspension


async def active_suspension(user_id: int, municipality_id: int) -> Suspension | None:
    """The suspension that runs longest, if any runs now."""
    return (
        await Suspension.filter(
            user_id=user_id, municipality_id=municipality_id, until__gt=clock.now()
        )
        .order_by("-until")
        .first()
    )


async def ensure_not_suspended(actor: Actor | None, municipality_id: int) -> None:
    """Raise PermissionDenied (`reason` "suspended", with `until`) while a suspension runs.

    Nobody signed in passes: the command's permission check turns them away.
    """
    if actor is None:
        return
    suspension = await active_suspension(actor.user_id, municipality_id)
    if suspension is not None:
        raise PermissionDenied(
            Message(
                "Your account is suspended here until %(until)s: you can read and export, "
                "but not write. Reason: %(reason)s",
                until=suspension.until.isoformat(timespec="minutes"),
                reason=suspension.reason,
            ),
            reason="suspended",
            until=suspension.until.isoformat(),
        )
