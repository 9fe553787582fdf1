"""Departments and official answers, through the commands administrators and the council use."""

from __future__ import annotations

import itertools

from participation.actors import Actor
from participation.answers import commands
from participation.answers.models import OfficialResponse
from participation.municipalities import departments
from participation.municipalities.departments import DepartmentView
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests.factories.accounts import person

_numbers = itertools.count(1)


async def department(municipality: Municipality, name: str | None = None) -> DepartmentView:
    """A department of `municipality`, added by one of its administrators."""
    admin = await person(role=Role.ADMIN, municipality=municipality, lives_in=municipality)
    return await departments.create_department(
        admin, municipality.slug, name or f"Fachbereich {next(_numbers)}"
    )


async def response(
    council: Actor, mandate_id: int, kind: str = "first_answer", body: str = "Wir prüfen das."
) -> OfficialResponse:
    return await commands.respond_to_mandate(council, mandate_id, kind, body)
