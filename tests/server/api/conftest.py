"""A municipality with a citizen and a council member, on a running app."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.municipalities.models import Municipality
from tests import factories


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


@pytest.fixture
async def citizen(town: Municipality) -> Actor:
    # She lives in Mitte, where the tests' district votes are held.
    return await factories.person(name="Clara Citizen", lives_in=town, district="mitte")


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.council_member(town)
