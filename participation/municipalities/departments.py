"""A municipality's departments: administrators add, rename, retire and reinstate them.

A retired department stays, so that what it did keeps its name on mandates and their
timelines; it only takes no new assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from participation import clock, single_line, unit
from participation.actors import Actor
from participation.errors import InvalidInput, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.actions import MANAGE_DEPARTMENTS
from participation.municipalities.models import Department, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import require

NAME_MAX = 120


@dataclass(frozen=True)
class DepartmentView:
    id: int
    name: str
    created_at: datetime
    retired_at: datetime | None

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "retired": self.retired,
            "created_at": self.created_at,
            "retired_at": self.retired_at,
        }


def view(department: Department) -> DepartmentView:
    return DepartmentView(
        department.id, department.name, department.created_at, department.retired_at
    )


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def department_by_id(department_id: int) -> Department:
    department = (
        await Department.get_or_none(id=department_id) if parse_id(str(department_id)) else None
    )
    if department is None:
        raise NotFound(Message("This department does not exist."))
    return department


async def _checked_name(municipality_id: int, name: str, keep: int | None = None) -> str:
    """The name trimmed; InvalidInput on `name` when blank, too long, not one line, or
    taken by another department here (compared without regard to case)."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise InvalidInput.on("name", Message("Give the department a name."))
    if len(cleaned) > NAME_MAX:
        raise InvalidInput.on(
            "name", Message("The name must be at most %(max)s characters.", max=NAME_MAX)
        )
    single_line.check("name", cleaned)
    others = await Department.filter(municipality_id=municipality_id).values_list("id", "name")
    if any(
        other_id != keep and other.casefold() == cleaned.casefold() for other_id, other in others
    ):
        raise InvalidInput.on("name", _taken(cleaned))
    return cleaned


async def list_departments(slug: str, *, include_retired: bool = True) -> list[DepartmentView]:
    """The municipality's departments by name; raises NotFound for an unknown slug."""
    municipality = await _municipality(slug)
    query = Department.filter(municipality_id=municipality.id)
    if not include_retired:
        query = query.filter(retired_at__isnull=True)
    return [view(d) for d in await query.order_by("name", "id")]


async def create_department(actor: Actor | None, slug: str, name: str) -> DepartmentView:
    """Add a department here.

    Raises NotFound (municipality), NotAuthenticated, PermissionDenied (not an
    administrator here) and InvalidInput on `name` (blank, too long, not one line, or
    already taken here).
    """
    municipality = await _municipality(slug)
    require(actor, MANAGE_DEPARTMENTS, await place_of(municipality.id))
    assert actor is not None
    cleaned = await _checked_name(municipality.id, name)
    try:
        return await _create(actor, municipality.id, cleaned)
    except IntegrityError:
        # Someone added the same name a moment ago: the unique constraint decided.
        raise InvalidInput.on("name", _taken(cleaned)) from None


def _taken(name: str) -> str:
    return Message("There is already a department called %(name)s.", name=name)


async def _create(actor: Actor, municipality_id: int, cleaned: str) -> DepartmentView:
    async with unit.atomic() as u:
        department = await Department.create(
            municipality_id=municipality_id, name=cleaned, using_db=u.conn
        )
        await u.record(
            "municipalities:department:created",
            "department",
            department.id,
            municipality_id=municipality_id,
            actor_id=actor.user_id,
            department_id=department.id,
            department_name=cleaned,
        )
    return view(department)


async def change_department(
    actor: Actor | None,
    department_id: int,
    *,
    name: str | None = None,
    retired: bool | None = None,
) -> DepartmentView:
    """Rename a department, retire it, or take it back into service; None leaves a
    property as it is, and a change to what already holds records nothing.

    Raises NotFound, NotAuthenticated, PermissionDenied (not an administrator of the
    department's municipality) and InvalidInput on `name`.
    """
    department = await department_by_id(department_id)
    require(actor, MANAGE_DEPARTMENTS, await place_of(department.municipality_id))
    assert actor is not None
    new_name = None
    if name is not None:
        new_name = await _checked_name(department.municipality_id, name, keep=department.id)
        if new_name == department.name:
            new_name = None
    retiring = retired is not None and retired != (department.retired_at is not None)
    if new_name is None and not retiring:
        return view(department)
    try:
        return await _change(actor, department, new_name, retired if retiring else None)
    except IntegrityError:
        assert new_name is not None
        raise InvalidInput.on("name", _taken(new_name)) from None


async def _change(
    actor: Actor, department: Department, new_name: str | None, retired: bool | None
) -> DepartmentView:
    retiring = retired is not None
    async with unit.atomic() as u:
        envelope = {"municipality_id": department.municipality_id, "actor_id": actor.user_id}
        if new_name is not None:
            previous = department.name
            department.name = new_name
            await department.save(using_db=u.conn, update_fields=["name"])
            await u.record(
                "municipalities:department:renamed",
                "department",
                department.id,
                **envelope,
                department_id=department.id,
                department_name=new_name,
                previous_name=previous,
            )
        if retiring:
            department.retired_at = clock.now() if retired else None
            await department.save(using_db=u.conn, update_fields=["retired_at"])
            await u.record(
                "municipalities:department:retired"
                if retired
                else "municipalities:department:reinstated",
                "department",
                department.id,
                **envelope,
                department_id=department.id,
                department_name=department.name,
            )
    return view(department)


async def rename_department(actor: Actor | None, department_id: int, name: str) -> DepartmentView:
    """Give a department a new name; see change_department."""
    return await change_department(actor, department_id, name=name)


async def retire_department(actor: Actor | None, department_id: int) -> DepartmentView:
    """Retire a department: it keeps its history and takes no new mandates."""
    return await change_department(actor, department_id, retired=True)


async def reinstate_department(actor: Actor | None, department_id: int) -> DepartmentView:
    """Take a retired department back into service."""
    return await change_department(actor, department_id, retired=False)
