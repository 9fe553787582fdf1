"""Finding municipalities and districts by the slugs people type into URLs and forms."""

from __future__ import annotations

import time
from dataclasses import replace

from participation.messages import Message
from participation.municipalities.calendar import WorkingCalendar
from participation.municipalities.models import (
    District,
    LocalHoliday,
    Municipality,
    VerificationLevel,
)
from participation.permissions import Level, Place

SLUG_MAX = 64
RETIRED_DISTRICT = Message("This district was retired: nothing new starts in it.")


def possible_slug(slug: str | None) -> bool:
    """Whether `slug` could be stored at all; other text simply names nothing."""
    return slug is not None and 0 < len(slug) <= SLUG_MAX and "\x00" not in slug


async def municipality_by_slug(slug: str) -> Municipality | None:
    return await Municipality.get_or_none(slug=slug) if possible_slug(slug) else None


async def district_by_slug(municipality_id: int, slug: str) -> District | None:
    if not possible_slug(slug):
        return None
    return await District.get_or_none(municipality_id=municipality_id, slug=slug)


# Levels change rarely and are read on every co-signature; other processes see a change
# within PLACE_SECONDS.
PLACE_SECONDS = 30.0
_places: dict[int, tuple[float, Place]] = {}


async def place_of(municipality_id: int, district_id: int | None = None) -> Place:
    """The municipality as the permission rules see it: its id and chosen levels."""
    now = time.monotonic()
    cached = _places.get(municipality_id)
    if cached is None or now - cached[0] > PLACE_SECONDS:
        await Municipality.get(id=municipality_id).only("id")
        levels = await VerificationLevel.filter(municipality_id=municipality_id).values_list(
            "action", "level"
        )
        chosen = {action: Level(level) for action, level in levels}
        cached = (now, Place(municipality_id, chosen))
        _places[municipality_id] = cached
    return replace(cached[1], district_id=district_id)


def forget_place(municipality_id: int) -> None:
    """After a change of levels, so this process applies it at once."""
    _places.pop(municipality_id, None)


async def levels_of(municipality_ids: list[int]) -> dict[int, dict[str, Level]]:
    """The levels each municipality chose, by action; an action missing asks for email."""
    chosen: dict[int, dict[str, Level]] = {m: {} for m in municipality_ids}
    rows = await VerificationLevel.filter(municipality_id__in=municipality_ids).values_list(
        "municipality_id", "action", "level"
    )
    for municipality_id, action, level in rows:
        chosen[municipality_id][action] = Level(level)
    return chosen


async def working_calendar(municipality: Municipality) -> WorkingCalendar:
    """The municipality's working days: its state's holidays, its own, its time zone."""
    days = await LocalHoliday.filter(municipality_id=municipality.id).values_list("date", flat=True)
    return WorkingCalendar.of(municipality.state, days, municipality.time_zone)  # type: ignore[arg-type]


async def local_holidays(municipality_id: int) -> list[LocalHoliday]:
    return await LocalHoliday.filter(municipality_id=municipality_id).order_by("date")
