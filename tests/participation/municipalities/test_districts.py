"""Districts added, renamed and retired: slugs made once, history kept, nothing new in a
retired one."""

from __future__ import annotations

import pytest

from participation.errors import InvalidInput
from participation.mandates import commands as mandates
from participation.mandates.models import Mandate
from participation.municipalities.commands import update_municipality
from participation.municipalities.districts import slug_of
from participation.municipalities.models import District
from participation.permissions import Role
from tests import factories
from tests.factories import votes

pytestmark = pytest.mark.usefixtures("database")


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Süd-Ost", "sued-ost"), ("Am Anger  II", "am-anger-ii"), ("Straße 7", "strasse-7")],
)
def test_a_slug_is_made_from_the_name(name: str, slug: str) -> None:
    assert slug_of(name) == slug


async def test_a_retired_district_keeps_its_mandates_and_takes_nothing_new() -> None:
    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    council = await factories.council_member(town)
    citizen = await factories.person(lives_in=town, district="nord")
    old = await factories.mandate(citizen, town, district="nord")
    await update_municipality(admin, "musterdorf", {"retire_districts": ["nord"]})
    nord = await District.get(municipality_id=town.id, slug="nord")
    assert nord.retired and (await Mandate.get(id=old.id)).district_id == nord.id
    with pytest.raises(InvalidInput) as launch:
        await mandates.launch_mandate(
            citizen, "musterdorf", title="Neu", summary="Kurz.", body="Text.", district="nord"
        )
    assert [e.field for e in launch.value.errors] == ["district"]
    with pytest.raises(InvalidInput) as vote:
        await votes.vote(council, town, district="nord")
    assert "district" in [e.field for e in vote.value.errors]
    await update_municipality(
        admin, "musterdorf", {"rename_districts": [{"slug": "nord", "name": "Nordstadt"}]}
    )
    renamed = await District.get(id=nord.id)
    assert (renamed.slug, renamed.name) == ("nord", "Nordstadt")
