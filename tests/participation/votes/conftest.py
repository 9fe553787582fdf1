"""A municipality with a council member and a voter, for the tests of votes that use them."""

from __future__ import annotations

import pytest

from participation.actors import Actor
from participation.municipalities.models import Municipality
from tests import factories


@pytest.fixture
async def town(database: str) -> Municipality:
    return await factories.municipality()


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.council_member(town)


@pytest.fixture
async def voter(town: Municipality) -> Actor:
    return await factories.person()
