"""Departments: administrators add, rename, retire and reinstate them; others may not."""

from __future__ import annotations

import asyncio

import pytest

from participation.actors import Actor
from participation.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from participation.mandates.models import Status
from participation.municipalities import departments
from participation.municipalities.models import Department, Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def _admin(town: Municipality) -> Actor:
    return await factories.person(role=Role.ADMIN, municipality=town)


async def test_an_administrator_adds_renames_retires_and_reinstates() -> None:
    town = await factories.municipality()
    admin = await _admin(town)
    made = await departments.create_department(admin, town.slug, "  Tiefbauamt ")
    assert made.name == "Tiefbauamt" and not made.retired
    renamed = await departments.rename_department(admin, made.id, "Amt für Straßen")
    assert renamed.name == "Amt für Straßen"
    retired = await departments.retire_department(admin, made.id)
    assert retired.retired and retired.retired_at is not None
    assert [d.name for d in await departments.list_departments(town.slug)] == ["Amt für Straßen"]
    assert await departments.list_departments(town.slug, include_retired=False) == []
    back = await departments.reinstate_department(admin, made.id)
    assert not back.retired
    events = await OutboxEvent.filter(subject_type="department").order_by("id")
    assert [e.name for e in events] == [
        "municipalities:department:created",
        "municipalities:department:renamed",
        "municipalities:department:retired",
        "municipalities:department:reinstated",
    ]
    assert events[1].payload == {
        "department_id": made.id,
        "department_name": "Amt für Straßen",
        "previous_name": "Tiefbauamt",
    }


async def test_changing_nothing_records_nothing() -> None:
    town = await factories.municipality()
    admin = await _admin(town)
    made = await departments.create_department(admin, town.slug, "Bauamt")
    await departments.change_department(admin, made.id, name="Bauamt", retired=False)
    assert await OutboxEvent.filter(subject_type="department").count() == 1


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 121, "Bau\namt", "Bau\u202eamt", "bauamt", "BAUAMT "]
)
async def test_bad_or_taken_names_are_refused_on_the_name_field(name: str) -> None:
    town = await factories.municipality()
    admin = await _admin(town)
    await departments.create_department(admin, town.slug, "Bauamt")
    with pytest.raises(InvalidInput) as refused:
        await departments.create_department(admin, town.slug, name)
    assert [e.field for e in refused.value.errors] == ["name"]
    assert await Department.all().count() == 1


async def test_the_same_name_may_exist_in_another_municipality() -> None:
    town, other = await factories.municipality(), await factories.municipality()
    await departments.create_department(await _admin(town), town.slug, "Bauamt")
    await departments.create_department(await _admin(other), other.slug, "Bauamt")
    assert await Department.all().count() == 2


async def test_renaming_to_a_taken_name_is_refused() -> None:
    town = await factories.municipality()
    admin = await _admin(town)
    await departments.create_department(admin, town.slug, "Bauamt")
    parks = await departments.create_department(admin, town.slug, "Grünflächenamt")
    with pytest.raises(InvalidInput):
        await departments.rename_department(admin, parks.id, "bauamt")
    assert (await Department.get(id=parks.id)).name == "Grünflächenamt"


PEOPLE = ["anonymous", "citizen", "initiator", "council", "council elsewhere", "admin elsewhere"]


@pytest.mark.parametrize("who", PEOPLE)
async def test_only_this_municipalitys_administrators_manage_departments(who: str) -> None:
    town = await factories.municipality()
    made = await departments.create_department(await _admin(town), town.slug, "Bauamt")
    elsewhere = await factories.municipality()
    actor: Actor | None = None
    if who == "citizen":
        actor = await factories.person()
    elif who == "initiator":
        actor = await factories.person()
        await factories.mandate(actor, town, Status.COLLECTING)
    elif who == "council":
        actor = await factories.person(role=Role.COUNCIL, municipality=town)
    elif who == "council elsewhere":
        actor = await factories.person(role=Role.COUNCIL, municipality=elsewhere)
    elif who == "admin elsewhere":
        actor = await factories.person(role=Role.ADMIN, municipality=elsewhere)
    expected = NotAuthenticated if actor is None else PermissionDenied
    with pytest.raises(expected):
        await departments.create_department(actor, town.slug, "Ordnungsamt")
    with pytest.raises(expected):
        await departments.rename_department(actor, made.id, "Ordnungsamt")
    with pytest.raises(expected):
        await departments.retire_department(actor, made.id)
    assert [d.name for d in await Department.all()] == ["Bauamt"]
    assert (await Department.get(id=made.id)).retired_at is None


async def test_unknown_departments_and_municipalities_are_not_found() -> None:
    town = await factories.municipality()
    admin = await _admin(town)
    with pytest.raises(NotFound):
        await departments.rename_department(admin, 424_242, "X")
    with pytest.raises(NotFound):
        await departments.create_department(admin, "nirgendwo", "X")
    with pytest.raises(NotFound):
        await departments.list_departments("nirgendwo")


async def test_two_administrators_adding_the_same_name_at_once_get_one_department() -> None:
    town = await factories.municipality()
    first, second = await _admin(town), await _admin(town)
    outcomes = await asyncio.gather(
        departments.create_department(first, town.slug, "Bauamt"),
        departments.create_department(second, town.slug, "Bauamt"),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, InvalidInput) for o in refused), outcomes
    assert all(e.field == "name" for o in refused for e in o.errors)  # type: ignore[union-attr]
    assert await Department.filter(name="Bauamt").count() == 1
    created = await OutboxEvent.filter(name="municipalities:department:created").count()
    assert created == 1
