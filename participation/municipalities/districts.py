"""A municipality's districts: administrators add, rename, retire and reinstate them.

A district's slug is made once from its first name and never changes, so links, filters
and residences keep working after a rename. A retired district keeps its mandates, votes
and residents, and is shown as retired; nothing new is launched in it.

The changes arrive together with the other settings (PATCH /municipalities/{slug}):
`plan` checks them all against the stored districts and names every bad one, `apply`
writes them inside the caller's unit of work.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from participation import clock, single_line, unit
from participation.errors import FieldError
from participation.messages import Message
from participation.municipalities.models import District

NAME_MAX = 200
CHANGES_MAX = 100
FIELDS = ("add_districts", "rename_districts", "retire_districts", "reinstate_districts")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug_of(name: str) -> str:
    """Süd-Ost → sued-ost: lowercase ASCII letters, digits and single hyphens."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_UMLAUTS))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:64].strip("-")


@dataclass
class Plan:
    """What a PATCH does to the districts, once every part of it was found right."""

    add: list[tuple[str, str]] = field(default_factory=list)
    rename: list[tuple[District, str]] = field(default_factory=list)
    retire: list[District] = field(default_factory=list)
    reinstate: list[District] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add or self.rename or self.retire or self.reinstate)


def _name(value: Any) -> str | Message:
    if not isinstance(value, str) or not value.strip():
        return Message("Give each district a name.")
    if single_line.problem(value.strip()):
        return single_line.MESSAGE
    name = " ".join(value.split())
    if len(name) > NAME_MAX:
        return Message("A district's name has at most %(max)s characters.", max=NAME_MAX)
    if not slug_of(name):
        return Message("A district's name needs at least one letter or digit.")
    return name


def _list(value: Any, field_name: str, problems: list[FieldError]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > CHANGES_MAX:
        problems.append(
            FieldError(field_name, Message("Send a list of at most %(max)s.", max=CHANGES_MAX))
        )
        return []
    return value


async def plan(municipality_id: int, changes: Mapping[str, Any]) -> tuple[Plan, list[FieldError]]:
    """The district changes in `changes` (add_districts: names; rename_districts:
    {slug, name}; retire_districts and reinstate_districts: slugs), checked against the
    stored districts; a FieldError per bad field, by that field's name."""
    rows = await District.filter(municipality_id=municipality_id)
    by_slug = {d.slug: d for d in rows}
    names = {d.name.casefold(): d.slug for d in rows}
    problems: list[FieldError] = []
    result = Plan()

    def refuse(field_name: str, message: Message) -> None:
        if not any(p.field == field_name for p in problems):
            problems.append(FieldError(field_name, message))

    for value in _list(changes.get("add_districts"), "add_districts", problems):
        name = _name(value)
        if isinstance(name, Message):
            refuse("add_districts", name)
            continue
        slug = slug_of(name)
        if slug in by_slug or name.casefold() in names or slug in {s for s, _ in result.add}:
            refuse("add_districts", Message("There is already a district %(name)s.", name=name))
            continue
        result.add.append((slug, name))
    for value in _list(changes.get("rename_districts"), "rename_districts", problems):
        if not isinstance(value, Mapping) or value.get("slug") not in by_slug:
            refuse("rename_districts", Message("Name a district of this municipality."))
            continue
        district = by_slug[value["slug"]]
        name = _name(value.get("name"))
        if isinstance(name, Message):
            refuse("rename_districts", name)
            continue
        if names.get(name.casefold(), district.slug) != district.slug:
            refuse("rename_districts", Message("There is already a district %(name)s.", name=name))
            continue
        if name != district.name:
            result.rename.append((district, name))
    for key, target in (
        ("retire_districts", result.retire),
        ("reinstate_districts", result.reinstate),
    ):
        for slug in _list(changes.get(key), key, problems):
            found = by_slug.get(slug) if isinstance(slug, str) else None
            if found is None:
                refuse(key, Message("Name a district of this municipality."))
            elif found.retired != (key == "retire_districts"):
                target.append(found)
    return result, problems


async def apply(u: unit.Unit, municipality_id: int, actor_id: int, planned: Plan) -> None:
    """Write a checked plan in the caller's unit, one event per district changed."""
    envelope = {"municipality_id": municipality_id, "actor_id": actor_id}
    for slug, name in planned.add:
        district = await District.create(
            municipality_id=municipality_id, slug=slug, name=name, using_db=u.conn
        )
        await u.record(
            "municipalities:district:added",
            "district",
            district.id,
            **envelope,
            district_id=district.id,
            district_name=name,
        )
    for district, name in planned.rename:
        previous = district.name
        await District.filter(id=district.id).using_db(u.conn).update(name=name)
        await u.record(
            "municipalities:district:renamed",
            "district",
            district.id,
            **envelope,
            district_id=district.id,
            district_name=name,
            previous_name=previous,
        )
    for retired, rows in ((True, planned.retire), (False, planned.reinstate)):
        for district in rows:
            await (
                District.filter(id=district.id)
                .using_db(u.conn)
                .update(retired_at=clock.now() if retired else None)
            )
            await u.record(
                "municipalities:district:retired"
                if retired
                else "municipalities:district:reinstated",
                "district",
                district.id,
                **envelope,
                district_id=district.id,
                district_name=district.name,
            )
