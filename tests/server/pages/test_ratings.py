"""The ratings section and form as a browser without JavaScript meets them."""

from __future__ import annotations

import re
from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest
from starlette.applications import Starlette

from participation import clock
from participation.accounts.identity import sessions
from participation.actors import Actor
from participation.mandates import rating
from participation.mandates.models import Rating, Status
from participation.municipalities.models import Municipality
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories.ratings import finished_mandate

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


async def browse_as(client: httpx.AsyncClient, settings: Settings, person: Actor) -> None:
    started = await sessions.start_session(
        person.user_id, sessions.BROWSER, "tests", timedelta(hours=1)
    )
    for header in sign_in_cookies(settings, started):
        for name, morsel in SimpleCookie(header.decode()).items():
            client.cookies.set(name, morsel.value)


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    match = CSRF.search((await client.get(path)).text)
    assert match
    return match.group(1)


def _section(html: str) -> str:
    match = re.search(r'<section id="ratings".*?</section>', html, re.DOTALL)
    assert match, "no ratings section"
    return match.group(0)


async def test_a_co_signer_rates_through_the_form_and_everyone_sees_the_summary(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    mandate, (initiator, signer, *_) = await finished_mandate(town)
    await rating.rate_outcome(initiator, mandate.id, 5, "Sehr *gut*!", show_name=True)
    await browse_as(client, settings, signer)
    page = _section((await client.get(f"/mandates/{mandate.id}")).text)
    assert "data-live" in page and "hidden" not in page.split(">")[0]
    assert 'name="score"' in page and 'for="score-3"' in page and "3 – mittel" in page

    token = await _csrf(client, f"/mandates/{mandate.id}")
    posted = await client.post(
        f"/mandates/{mandate.id}/ratings",
        data={"csrf_token": token, "score": "2", "comment": "<script>x</script> Zu langsam."},
    )
    assert posted.status_code == 303 and posted.headers["location"].endswith("#ratings")
    saved = await Rating.get(mandate_id=mandate.id, user_id=signer.user_id)
    assert (saved.score, saved.show_name) == (2, False)

    client.cookies.clear()
    public = _section((await client.get(f"/mandates/{mandate.id}")).text)
    assert "3,5 von 5 im Schnitt, aus 2 Bewertungen" in public
    assert "1 Bewertung (50 %)" in public and "0 Bewertungen (0 %)" in public
    assert "<em>gut</em>" in public and "Initiatorin" in public
    # Her comment is shown, escaped, and without her name.
    assert "&lt;script&gt;" in public and "<script>x" not in public
    assert signer.display_name not in public and "eine mitzeichnende Person" in public
    assert 'name="score"' not in public
    assert "Wer diesen Auftrag mitgezeichnet hat" in public


async def test_a_bad_form_comes_back_with_errors_in_place_and_nothing_stored(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    mandate, (_, signer, *_) = await finished_mandate(town)
    await browse_as(client, settings, signer)
    token = await _csrf(client, f"/mandates/{mandate.id}")
    posted = await client.post(
        f"/mandates/{mandate.id}/ratings",
        data={"csrf_token": token, "comment": "Vergessen zu wählen.", "show_name": "1"},
    )
    assert posted.status_code == 422
    section = _section(posted.text)
    assert 'id="score-error"' in section and 'aria-invalid="true"' in section
    assert (
        "Vergessen zu wählen." in section
        and 'id="show_name" name="show_name" value="1" checked' in section
    )
    assert await Rating.all().count() == 0


async def test_the_form_edits_within_30_days_then_only_shows_the_rating(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    mandate, (_, signer, *_) = await finished_mandate(town)
    await rating.rate_outcome(signer, mandate.id, 4, "Gut.")
    await browse_as(client, settings, signer)
    section = _section((await client.get(f"/mandates/{mandate.id}")).text)
    assert (
        'id="score-4" name="score" value="4" checked' in section and ">Gut.</textarea>" in section
    )
    assert "Du kannst deine Bewertung bis" in section

    await Rating.filter(mandate_id=mandate.id).update(created_at=clock.now() - timedelta(days=31))
    section = _section((await client.get(f"/mandates/{mandate.id}")).text)
    assert 'name="score"' not in section and "mit 4 von 5 bewertet" in section


async def test_outsiders_see_no_form_and_a_post_is_refused(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    mandate, _ = await finished_mandate(town)
    outsider = await factories.person(lives_in=town)
    await browse_as(client, settings, outsider)
    assert 'name="score"' not in _section((await client.get(f"/mandates/{mandate.id}")).text)
    token = await _csrf(client, f"/mandates/{mandate.id}")
    refused = await client.post(
        f"/mandates/{mandate.id}/ratings", data={"csrf_token": token, "score": "5"}
    )
    assert refused.status_code == 403 and "mitgezeichnet" in refused.text
    assert await Rating.all().count() == 0


async def test_before_completion_the_section_is_hidden(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_REVIEW)
    section = _section((await client.get(f"/mandates/{mandate.id}")).text)
    assert section.startswith('<section id="ratings"') and " hidden>" in section.split("\n")[0]


async def test_the_ratings_page_lists_every_comment_in_pages_and_english(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    town5 = await factories.municipality(quorum=25)
    mandate, signers = await finished_mandate(town5)
    for n, signer in enumerate(signers):
        await rating.rate_outcome(signer, mandate.id, 1 + n % 5, f"Kommentar {n}")
    on_mandate = (await client.get(f"/mandates/{mandate.id}")).text
    assert (
        on_mandate.count("Kommentar ") == 5
        and f'href="/mandates/{mandate.id}/ratings"' in on_mandate
    )

    first = await client.get(f"/mandates/{mandate.id}/ratings?lang=en")
    assert first.status_code == 200
    assert "3.0 of 5 on average, from 25 ratings" in first.text
    assert first.text.count("Kommentar ") == 20 and "Older comments" in first.text
    following = re.search(r'href="(/mandates/\d+/ratings\?cursor=\d+)"', first.text)
    assert following
    rest = await client.get(following.group(1) + "&lang=en")
    assert rest.text.count("Kommentar ") == 5 and "Kommentar 0" in rest.text


async def test_the_timeline_shows_the_ratings_summary(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    mandate, (initiator, *_) = await finished_mandate(town, Status.REJECTED)
    await rating.rate_outcome(initiator, mandate.id, 4)
    html = (await client.get(f"/mandates/{mandate.id}")).text
    entry = re.search(r'<li class="timeline-entry kind-ratings".*?</li>', html, re.DOTALL)
    assert entry and "4,0 von 5 im Schnitt, aus 1 Bewertung" in entry.group(0)
