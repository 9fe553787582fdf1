"""What a new municipality's legal pages say before its administrators fill them in, how
the accessibility statement gets its date, and the administration's "before going live"
checklist, as a browser without JavaScript meets them."""

from __future__ import annotations

import re
from datetime import date

import httpx
from starlette.applications import Starlette

from participation import clock
from participation.municipalities import face
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.settings import Settings
from tests import factories
from tests.server.pages.test_face import _browse_as, _csrf


def _text(html: str) -> str:
    """The page's words, tags dropped and spaces folded, to read sentences across tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_a_new_town_s_legal_pages_say_plainly_what_is_missing(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    await factories.municipality("neudorf", name="Neudorf")
    statement = _text((await client.get("/m/neudorf/accessibility")).text)
    # No status was stated, so none is claimed, and no contradiction follows.
    assert "Neudorf hat noch nicht bewertet, wie weit diese Seiten" in statement
    assert "wegen der unten genannten Barrieren" not in statement
    assert "Derzeit sind keine Barrieren bekannt" not in statement
    assert "Neudorf hat die Barrieren noch nicht aufgeführt." in statement
    assert "Neudorf hat sie noch nicht datiert" in statement
    assert "Du erreichst Neudorf auch direkt:" in statement
    assert "Neudorf hat hier noch keine Postanschrift angegeben." in statement
    impressum = _text((await client.get("/m/neudorf/impressum")).text)
    assert "Neudorf hat sein Impressum hier noch nicht geschrieben" in impressum
    assert "Telefon Noch nicht angegeben." in impressum
    privacy = _text((await client.get("/m/neudorf/privacy-contact")).text)
    assert "noch keinen Kontakt angegeben" in privacy
    assert "Kontakt unten" not in privacy


async def test_the_legal_pages_show_the_town_s_contact(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    town = await factories.municipality("neudorf", name="Neudorf")
    await Municipality.filter(id=town.id).update(
        contact_email="rathaus@neudorf.example",
        contact_phone="+49 9999 123",
        contact_address="Rathausplatz 1\n99999 Neudorf",
    )
    for path in ("/m/neudorf/impressum", "/m/neudorf/privacy-contact", "/m/neudorf/accessibility"):
        page = (await client.get(path)).text
        assert '<a href="mailto:rathaus@neudorf.example">' in page, path
        assert "+49 9999 123" in page and "Rathausplatz 1\n99999 Neudorf" in page, path
        assert "Noch nicht angegeben" not in page, path
    privacy = _text((await client.get("/m/neudorf/privacy-contact")).text)
    assert "bitte nutze den Kontakt unten" in privacy


async def test_saving_a_changed_statement_dates_it_and_the_page_says_so(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    town = await factories.municipality("neudorf", name="Neudorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await face.update_face(
        admin,
        "neudorf",
        {"accessibility_status": "partial", "accessibility_barriers": "PDF-Formulare ohne Tags"},
    )
    await town.refresh_from_db()
    today = clock.now().date()
    assert town.accessibility_reviewed_on is not None
    assert abs((town.accessibility_reviewed_on - today).days) <= 1  # the town's own day
    statement = _text((await client.get("/m/neudorf/accessibility")).text)
    assert "wegen der unten genannten Barrieren nur teilweise mit der BITV 2.0" in statement
    assert "PDF-Formulare ohne Tags" in statement
    assert "durch eine Selbstbewertung erstellt oder zuletzt überprüft" in statement
    assert "noch nicht datiert" not in statement
    # The colour alone is no new statement; a date given with a change is kept as given.
    await Municipality.filter(id=town.id).update(accessibility_reviewed_on=date(2026, 1, 5))
    await town.refresh_from_db()
    await face.update_face(admin, "neudorf", {"primary_color": "#1d4f91"})
    await town.refresh_from_db()
    assert town.accessibility_reviewed_on == date(2026, 1, 5)
    await face.update_face(
        admin,
        "neudorf",
        {
            "accessibility_status": "full",
            "accessibility_barriers": "",
            "accessibility_reviewed_on": "2026-02-01",
        },
    )
    await town.refresh_from_db()
    assert town.accessibility_reviewed_on == date(2026, 2, 1)
    statement = _text((await client.get("/m/neudorf/accessibility")).text)
    assert "Derzeit sind keine Barrieren bekannt." in statement


async def test_the_administration_lists_what_is_missing_before_going_live(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    town = await factories.municipality("neudorf", name="Neudorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    for path in ("/m/neudorf/admin/settings", "/m/neudorf/admin"):
        page = (await client.get(path)).text
        assert 'id="go-live-heading">Vor dem Start</h2>' in page, path
        for link, words in (
            ("settings#settings-contact_email", "Eine E-Mail-Adresse für Kontakt"),
            ("settings#settings-contact_address", "Eine Postanschrift"),
            ("appearance#legal-heading", "Das Impressum: wer die Gemeinde vertritt"),
            ("appearance#legal-heading", "Das Datum der Erklärung zur Barrierefreiheit"),
            ("appearance#crest-heading", "Das Wappen"),
            ("appearance#look-heading", "Die Farbe"),
        ):
            assert f'<a href="/m/neudorf/admin/{link}">{words}</a>' in page, (path, words)
    await Municipality.filter(id=town.id).update(
        contact_email="rathaus@neudorf.example",
        contact_address="Rathausplatz 1",
        impressum_text="Gemeinde Neudorf, vertreten durch die Bürgermeisterin",
        privacy_contact_text="Datenschutz: datenschutz@neudorf.example",
        accessibility_status="partial",
        accessibility_reviewed_on=date(2026, 12, 1),
        coat_of_arms_key="0" * 64,
        primary_color="#1d4f91",
    )
    page = _text((await client.get("/m/neudorf/admin/settings")).text)
    assert "Kontakt, rechtliche Seiten, Erklärung zur Barrierefreiheit" in page
    assert "fehlt noch" not in page


async def test_a_department_change_is_confirmed(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    town = await factories.municipality("neudorf", name="Neudorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/neudorf/admin")
    added = await client.post(
        "/m/neudorf/admin/departments", data={"csrf_token": token, "name": "Bauamt"}
    )
    assert added.status_code == 303
    assert added.headers["location"] == "/m/neudorf/admin?done=department-added"
    page = (await client.get(added.headers["location"])).text
    assert '<p class="notice" role="status">Der Fachbereich ist angelegt.</p>' in page
    assert "Der Fachbereich ist angelegt." not in (await client.get("/m/neudorf/admin")).text


async def test_a_contrast_refused_is_written_the_reader_s_way(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    town = await factories.municipality("neudorf", name="Neudorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/neudorf/admin/appearance")
    for lang, ratio, minimum in (("de", "1,07:1", "4,5:1"), ("en", "1.07:1", "4.5:1")):
        refused = await client.post(
            f"/m/neudorf/admin/appearance?lang={lang}",
            data={"csrf_token": token, "primary_color": "#ffff00"},
        )
        assert refused.status_code == 422
        assert ratio in refused.text and minimum in refused.text, lang
    await Municipality.filter(id=town.id).update(primary_color="#777777")
    page = (await client.get("/m/neudorf/admin/appearance?lang=de")).text
    assert "4,47:1" in page
