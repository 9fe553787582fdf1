"""The mandate page's attachments, and uploading without JavaScript."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.actors import Actor
from participation.files import commands
from participation.files.models import Attachment
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.plans.models import Measure
from server.auth import sign_in_cookies
from server.settings import Settings
from server.templating import render_text
from tests import factories
from tests.factories import files

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=3)


@pytest.fixture
async def initiator(town: Municipality) -> Actor:
    return await factories.person(name="Ina Initiatorin")


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.council_member(town)


@pytest.fixture
async def mandate(town: Municipality, initiator: Actor, council: Actor) -> Mandate:
    return await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


def _section(html: str) -> str:
    match = re.search(r'<section id="attachments".*?</section>', html, re.S)
    assert match, html
    return match.group(0)


async def test_the_section_lists_files_by_what_they_belong_to(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor
) -> None:
    measure = await Measure.create(
        mandate_id=mandate.id,
        title="Bänke aufstellen",
        planned_start=date(2027, 3, 1),
        planned_end=date(2027, 6, 1),
    )
    await commands.attach_file(council, mandate.id, "Antrag.pdf", files.pdf())
    await commands.attach_file(
        council, mandate.id, "Lageplan.png", files.png(), "measure", measure.id
    )
    big = files.pdf() + b"%" * (3 * 1024 * 1024)
    await commands.attach_file(council, mandate.id, "Gutachten.pdf", big)
    page = await client.get(f"/mandates/{mandate.id}")
    section = _section(page.text)
    assert "data-live" in section
    captions = re.findall(r"<caption>(.*?)</caption>", section, re.S)
    assert [c.strip() for c in captions] == ["Der Auftrag", "Maßnahme „Bänke aufstellen“"]
    assert re.search(
        r'<th scope="row"><a href="/api/v1/attachments/\d+" download>Antrag.pdf', section
    )
    assert "3 MB" in section and "PDF" in section and "PNG" in section
    # The public sees the files but no form.
    assert "<form" not in section
    english = _section((await client.get(f"/mandates/{mandate.id}?lang=en")).text)
    assert "Measure “Bänke aufstellen”" in english and "Attachments" in english
    timeline = page.text[page.text.index('id="timeline"') :]
    assert "Datei angehängt" in timeline and "Lageplan.png" in timeline


async def test_the_council_uploads_without_javascript(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, settings: Settings
) -> None:
    await _browse_as(client, settings, council.user_id)
    page = await client.get(f"/mandates/{mandate.id}")
    section = _section(page.text)
    assert 'enctype="multipart/form-data"' in section
    assert '<label for="attachment-file">' in section
    token = CSRF.search(section)
    assert token
    sent = await client.post(
        f"/mandates/{mandate.id}/attachments",
        data={"csrf_token": token.group(1), "subject": "mandate:"},
        files={"file": ("Stellungnahme.pdf", files.pdf())},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/mandates/{mandate.id}#attachments"
    assert await Attachment.filter(mandate_id=mandate.id, filename="Stellungnahme.pdf").exists()
    assert "Stellungnahme.pdf" in _section((await client.get(f"/mandates/{mandate.id}")).text)


async def test_a_refused_upload_shows_why_next_to_the_field(
    client: httpx.AsyncClient, mandate: Mandate, initiator: Actor, settings: Settings
) -> None:
    await _browse_as(client, settings, initiator.user_id)
    token = CSRF.search((await client.get(f"/mandates/{mandate.id}")).text)
    assert token
    sent = await client.post(
        f"/mandates/{mandate.id}/attachments",
        data={"csrf_token": token.group(1)},
        files={"file": ("Bericht.pdf", files.HTML)},
    )
    assert sent.status_code == 422
    assert 'id="attachment-file-error"' in sent.text
    assert "Der Inhalt dieser Datei ist kein PDF" in sent.text
    assert 'aria-invalid="true"' in sent.text and '<form method="post"' in sent.text
    assert not await Attachment.exists()


async def test_a_form_without_its_token_is_refused(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, settings: Settings
) -> None:
    await _browse_as(client, settings, council.user_id)
    sent = await client.post(
        f"/mandates/{mandate.id}/attachments", files={"file": ("a.pdf", files.pdf())}
    )
    assert sent.status_code == 422 and "Formular" in sent.text
    assert not await Attachment.exists()


async def test_citizens_get_no_form_and_anonymous_people_are_sent_to_sign_in(
    client: httpx.AsyncClient, mandate: Mandate, settings: Settings
) -> None:
    anonymous = await client.post(
        f"/mandates/{mandate.id}/attachments", files={"file": ("a.pdf", files.pdf())}
    )
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    citizen = await factories.person()
    await _browse_as(client, settings, citizen.user_id)
    assert "<form" not in _section((await client.get(f"/mandates/{mandate.id}")).text)
    assert (await client.get(f"/mandates/{mandate.id}/attachments/new")).status_code == 403


async def test_the_timeline_entry_renders_on_its_own(mandate: Mandate) -> None:
    entry = {
        "id": 1,
        "kind": "attachment",
        "data": {
            "attachment_id": 7,
            "filename": "<b>Plan</b>.pdf",
            "type": "PDF",
            "size": 2_500_000,
            "subject_type": "cost_analysis",
            "subject_id": 3,
            "subject_title": "Kosten",
        },
        "actor": {"display_name": "Rita Rat"},
        "created_at": mandate.created_at,
    }
    html = render_text("partials/timeline_entry.html", e=entry)
    assert 'href="/api/v1/attachments/7"' in html
    assert "&lt;b&gt;Plan&lt;/b&gt;.pdf" in html and "<b>" not in html
    assert "2,4 MB" in html and "Kosten" in html and "Rita Rat" in html
