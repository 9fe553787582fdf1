"""Actions of a municipality's administrators on the municipality itself."""

from __future__ import annotations

from participation import unit
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities.actions import CONFIGURE_MUNICIPALITY
from participation.municipalities.models import LEVEL_FIELDS, Municipality, VerificationLevel
from participation.municipalities.queries import forget_place, municipality_by_slug, place_of
from participation.permissions import Level, require


async def set_verification_levels(
    actor: Actor | None, slug: str, levels: dict[str, str]
) -> Municipality:
    """Choose how verified people must be to launch, co-sign and vote here.

    `levels` maps any of launch_level, sign_level, vote_level to email_verified or
    resident_verified. Raises NotFound, PermissionDenied (not an admin here) and
    InvalidInput naming each bad field; nothing changes when one is bad.
    """
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, CONFIGURE_MUNICIPALITY, await place_of(municipality.id))
    allowed = ", ".join(level.value for level in Level)
    problems = [
        FieldError(name, Message("Unknown field %(name)r.", name=name))
        for name in levels
        if name not in LEVEL_FIELDS
    ]
    chosen: dict[str, Level] = {}
    for name in LEVEL_FIELDS:
        if name in levels:
            try:
                chosen[name] = Level(levels[name])
            except ValueError:
                problems.append(
                    FieldError(name, Message("Choose one of %(allowed)s.", allowed=allowed))
                )
    if problems:
        raise InvalidInput(Message("The verification levels are invalid."), problems)
    if chosen:
        async with unit.atomic() as u:
            for name, level in chosen.items():
                await VerificationLevel.update_or_create(
                    {"level": level},
                    using_db=u.conn,
                    municipality_id=municipality.id,
                    action=LEVEL_FIELDS[name],
                )
        forget_place(municipality.id)
    await municipality.refresh_from_db()
    return municipality
