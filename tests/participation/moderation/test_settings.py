"""Administrators set the flag threshold and how long an account counts as new."""

from __future__ import annotations

import pytest

from participation.errors import InvalidInput
from participation.municipalities.commands import update_municipality
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def test_the_threshold_and_the_new_account_age_have_ranges() -> None:
    town = await factories.municipality()
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await update_municipality(admin, town.slug, {"flag_threshold": 5, "new_account_hours": 0})
    stored = await Municipality.get(id=town.id)
    assert (stored.flag_threshold, stored.new_account_hours) == (5, 0)
    with pytest.raises(InvalidInput) as bad:
        await update_municipality(
            admin, town.slug, {"flag_threshold": 101, "new_account_hours": 721}
        )
    assert {e.field for e in bad.value.errors} == {"flag_threshold", "new_account_hours"}
    with pytest.raises(InvalidInput):
        await update_municipality(admin, town.slug, {"flag_threshold": 0})
    assert (await Municipality.get(id=town.id)).flag_threshold == 5
