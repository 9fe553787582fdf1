"""Actions of a municipality's administrators on the municipality itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from participation import unit
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities import districts, settings
from participation.municipalities.actions import CONFIGURE_MUNICIPALITY
from participation.municipalities.models import (
    LEVEL_FIELDS,
    LocalHoliday,
    Municipality,
    VerificationLevel,
)
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


async def update_municipality(
    actor: Actor | None,
    slug: str,
    changes: Mapping[str, Any],
    also_wrong: Sequence[FieldError] = (),
) -> Municipality:
    """Change the municipality's settings: any of name, default_quorum,
    signature_period_days, service_promise_days, state, local_holidays (the whole list,
    replacing the old one), population, time_zone, contact_email, contact_phone,
    contact_address, and the districts (add_districts, rename_districts, retire_districts,
    reinstate_districts: participation/municipalities/districts.py).

    Raises NotFound, PermissionDenied (not an administrator here) and InvalidInput naming
    each bad field (participation/municipalities/settings.py), together with `also_wrong`:
    what the caller found wrong in the fields it changes alongside (the face's), so that
    every bad field is named at once; nothing changes when one is bad. Mandates already
    submitted keep the due date they were promised.
    """
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    actor = require(actor, CONFIGURE_MUNICIPALITY, await place_of(municipality.id))
    district_changes = {k: v for k, v in changes.items() if k in districts.FIELDS}
    cleaned, problems = settings.clean(
        {k: v for k, v in changes.items() if k not in districts.FIELDS}
    )
    planned, wrong = await districts.plan(municipality.id, district_changes)
    problems += [*wrong, *also_wrong]
    if problems:
        raise InvalidInput(Message("The settings are invalid."), problems)
    holidays = cleaned.pop("local_holidays", None)
    try:
        async with unit.atomic() as u:
            if cleaned:
                await Municipality.filter(id=municipality.id).using_db(u.conn).update(**cleaned)
            if holidays is not None:
                await _replace_holidays(u.conn, municipality.id, holidays)
            if planned:
                await districts.apply(u, municipality.id, actor.user_id, planned)
    except IntegrityError:
        # Two administrators adding the same district (or day off) at the same moment:
        # the unique keys keep one, and the other is told, with nothing written.
        field = "add_districts" if planned else "local_holidays"
        raise InvalidInput.on(
            field, Message("The same change was saved a moment ago; reload the settings.")
        ) from None
    await municipality.refresh_from_db()
    return municipality


async def _replace_holidays(
    conn: BaseDBAsyncClient, municipality_id: int, chosen: list[settings.Holiday]
) -> None:
    """Keep the days that stay (and their names, when none was sent), add the new ones."""
    rows = await LocalHoliday.filter(municipality_id=municipality_id).using_db(conn)
    old = {h.date: h for h in rows}
    wanted = {h.date: h for h in chosen}
    gone = [h.id for day, h in old.items() if day not in wanted]
    if gone:
        await LocalHoliday.filter(id__in=gone).using_db(conn).delete()
    for day, holiday in wanted.items():
        kept = old.get(day)
        if kept is None:
            await LocalHoliday.create(
                municipality_id=municipality_id, date=day, name=holiday.name, using_db=conn
            )
        elif holiday.name and holiday.name != kept.name:
            await LocalHoliday.filter(id=kept.id).using_db(conn).update(name=holiday.name)
