"""What a person says about herself: the display name shown instead of her email address."""

from __future__ import annotations

from participation import single_line, unit
from participation.accounts.identity.commands import DISPLAY_NAME_MAX
from participation.accounts.models import User
from participation.actors import Actor
from participation.errors import InvalidInput, NotAuthenticated
from participation.messages import Message


def clean_display_name(name: str) -> str:
    """Runs of spaces collapsed; raises InvalidInput naming `display_name`."""
    single_line.check("display_name", name or "")
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput.on("display_name", Message("Display name must not be empty."))
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise InvalidInput.on(
            "display_name",
            Message("Display name must be at most %(max)s characters.", max=DISPLAY_NAME_MAX),
        )
    return cleaned


async def change_display_name(actor: Actor | None, display_name: str) -> User:
    """Rename the actor's account; the new name shows wherever she appears publicly.

    Raises NotAuthenticated and InvalidInput (empty, too long, control characters).
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    name = clean_display_name(display_name)
    async with unit.atomic() as u:
        changed = await User.filter(id=actor.user_id).using_db(u.conn).update(display_name=name)
        if not changed:
            raise NotAuthenticated(Message("This account no longer exists."))
        await u.record(
            "accounts:user:renamed",
            "user",
            actor.user_id,
            municipality_id=None,
            actor_id=actor.user_id,
            user_id=actor.user_id,
        )
    return await User.get(id=actor.user_id)
