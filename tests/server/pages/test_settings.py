"""The settings page of a municipality, as its administrators use it without JavaScript."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from participation.municipalities.models import District, Municipality
from participation.permissions import Role
from server.settings import Settings
from tests import factories
from tests.server.pages.test_administration import _browse_as, _csrf

GENERAL = {
    "name": "Musterdorf am See",
    "default_quorum": "120",
    "signature_period_days": "60",
    "population": "8400",
    "time_zone": "Europe/Berlin",
    "contact_email": "rathaus@musterdorf.de",
    "contact_phone": "089 1234-0",
    "contact_address": "Rathausplatz 1\r\n12345 Musterdorf",
}


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


@pytest.fixture
async def token(client: httpx.AsyncClient, town: Municipality, settings: Settings) -> str:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    return await _csrf(client, "/m/musterdorf/admin/settings")


async def test_the_settings_are_saved_and_confirmed(
    client: httpx.AsyncClient, town: Municipality, token: str
) -> None:
    assert 'href="/m/musterdorf/admin/settings"' in (await client.get("/m/musterdorf/admin")).text
    page = (await client.get("/m/musterdorf/admin/settings")).text
    assert 'href="/m/musterdorf/admin/appearance"' in page
    saved = await client.post("/m/musterdorf/admin/settings", data={"csrf_token": token, **GENERAL})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/m/musterdorf/admin/settings?done=saved"
    confirmed = (await client.get(saved.headers["location"])).text
    assert "Die Einstellungen sind gespeichert." in confirmed
    assert 'value="Musterdorf am See"' in confirmed
    row = await Municipality.get(id=town.id)
    assert (row.name, row.default_quorum, row.signature_period_days, row.population) == (
        "Musterdorf am See",
        120,
        60,
        8400,
    )
    assert row.contact_address == "Rathausplatz 1\n12345 Musterdorf"
    assert row.contact_phone == "089 1234-0"


async def test_a_bad_setting_comes_back_next_to_its_field(
    client: httpx.AsyncClient, town: Municipality, token: str
) -> None:
    page = await client.post(
        "/m/musterdorf/admin/settings",
        data={
            "csrf_token": token,
            **GENERAL,
            "signature_period_days": "3",
            "contact_email": "rathaus",
        },
    )
    assert page.status_code == 422
    for name in ("signature_period_days", "contact_email"):
        assert f'id="settings-{name}-error"' in page.text
        assert f'aria-describedby="settings-{name}-error"' in page.text
        assert f'href="#settings-{name}"' in page.text
    assert 'id="settings-error-summary"' in page.text
    # What was typed stays, and nothing was stored.
    assert 'value="Musterdorf am See"' in page.text and 'value="rathaus"' in page.text
    assert (await Municipality.get(id=town.id)).name == "Musterdorf"


async def test_districts_are_added_renamed_retired_and_reinstated(
    client: httpx.AsyncClient, town: Municipality, token: str
) -> None:
    added = await client.post(
        "/m/musterdorf/admin/settings/districts", data={"csrf_token": token, "name": "Süd-Ost"}
    )
    assert added.headers["location"] == "/m/musterdorf/admin/settings?done=added"
    assert await District.filter(municipality_id=town.id, slug="sued-ost").exists()
    renamed = await client.post(
        "/m/musterdorf/admin/settings/districts/rename",
        data={"csrf_token": token, "slug": "mitte", "name": "Altstadt"},
    )
    assert renamed.status_code == 303
    assert (await District.get(municipality_id=town.id, slug="mitte")).name == "Altstadt"
    retired = await client.post(
        "/m/musterdorf/admin/settings/districts/retire",
        data={"csrf_token": token, "slug": "nord", "retired": "1"},
    )
    assert retired.headers["location"].endswith("done=retired")
    page = (await client.get("/m/musterdorf/admin/settings")).text
    assert "(stillgelegt)" in page and "Nord wieder in Gebrauch nehmen" in page
    assert (await District.get(municipality_id=town.id, slug="nord")).retired
    back = await client.post(
        "/m/musterdorf/admin/settings/districts/retire",
        data={"csrf_token": token, "slug": "nord", "retired": "0"},
    )
    assert back.headers["location"].endswith("done=reinstated")
    assert not (await District.get(municipality_id=town.id, slug="nord")).retired


async def test_a_bad_district_comes_back_next_to_its_own_form(
    client: httpx.AsyncClient, town: Municipality, token: str
) -> None:
    added = await client.post(
        "/m/musterdorf/admin/settings/districts", data={"csrf_token": token, "name": "nord"}
    )
    assert added.status_code == 422
    assert 'id="districts-name-error"' in added.text and 'href="#districts-name"' in added.text
    renamed = await client.post(
        "/m/musterdorf/admin/settings/districts/rename",
        data={"csrf_token": token, "slug": "mitte", "name": "Süd"},
    )
    assert renamed.status_code == 422
    assert 'id="district-mitte-name-error"' in renamed.text
    assert 'aria-describedby="district-mitte-name-error"' in renamed.text
    assert 'id="district-nord-name-error"' not in renamed.text
    assert (await District.get(municipality_id=town.id, slug="mitte")).name == "Mitte"
    assert await District.filter(municipality_id=town.id).count() == 3


async def test_a_number_in_other_digits_is_a_field_error_not_a_crash(
    client: httpx.AsyncClient, town: Municipality, token: str
) -> None:
    """ "²" is a digit to str.isdigit() but no number to int(); a very long number is none
    either: both are named next to their field."""
    for typed in ("²", "9" * 5000):
        page = await client.post(
            "/m/musterdorf/admin/settings",
            data={"csrf_token": token, **GENERAL, "population": typed},
        )
        assert page.status_code == 422
        assert 'id="settings-population-error"' in page.text
    assert (await Municipality.get(id=town.id)).population is None


async def test_a_refused_post_by_someone_else_shows_no_settings(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    """The page drawn again after a refusal is as closed as the page itself."""
    citizen = await factories.person(lives_in=town)
    await _browse_as(client, settings, citizen.user_id)
    token = await _csrf(client, "/account")
    answer = await client.post(
        "/m/musterdorf/admin/settings", data={"csrf_token": token, **GENERAL}
    )
    assert answer.status_code == 403
    assert "rathaus@musterdorf.de" not in answer.text
    assert 'action="/m/musterdorf/admin/settings"' not in answer.text
    assert (await Municipality.get(id=town.id)).name == "Musterdorf"


async def test_the_open_data_licence_is_chosen_from_the_two_offered(
    client: httpx.AsyncClient, town: Municipality, token: str
) -> None:
    page = (await client.get("/m/musterdorf/admin/settings")).text
    assert '<option value="dl-de/by-2-0" selected>' in page
    assert '<option value="cc-by/4.0">' in page
    data = {"csrf_token": token, **GENERAL, "open_data_licence": "cc-by/4.0"}
    saved = await client.post("/m/musterdorf/admin/settings", data=data)
    assert saved.status_code == 303
    assert (await Municipality.get(id=town.id)).open_data_licence == "cc-by/4.0"
    refused = await client.post(
        "/m/musterdorf/admin/settings", data={**data, "open_data_licence": "gpl-3.0"}
    )
    assert refused.status_code == 422
    assert 'id="settings-open_data_licence-error"' in refused.text
    assert (await Municipality.get(id=town.id)).open_data_licence == "cc-by/4.0"
