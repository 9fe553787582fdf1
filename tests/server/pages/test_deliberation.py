"""The discussion section as a browser without JavaScript meets it: reading, posting,
replying, editing, deleting, endorsing, sorting, and mistakes shown at the field."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.actors import Actor
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import deliberation as talk
from tests.factories import plans as plan_factories
from tests.factories import votes as vote_factories

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def citizen(town: Municipality) -> Actor:
    return await factories.person(name="Clara Bürgerin")


@pytest.fixture
async def mandate(town: Municipality, citizen: Actor) -> Mandate:
    return await factories.mandate(citizen, town)


@pytest.fixture
async def thread(mandate: Mandate) -> Thread:
    return await talk.thread_of(mandate)


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


def _discussion(html: str) -> str:
    match = re.search(
        r'<section id="discussion".*?<div id="discussion-form".*?</div>\s*</section>',
        html,
        re.DOTALL,
    )
    assert match, html
    return match.group(0)


async def test_anonymous_readers_see_the_discussion_and_a_sign_in_link(
    client: httpx.AsyncClient, mandate: Mandate, citizen: Actor, thread: Thread
) -> None:
    await talk.post(citizen, thread, "Ich bin **dafür**.", stance="for")
    html = (await client.get(f"/mandates/{mandate.id}")).text
    section = _discussion(html)
    assert "<strong>dafür</strong>" in section and "Clara Bürgerin" in section
    assert "Dafür" in section  # the stance in words, not only colour
    assert "Melde dich an, um mitzudiskutieren." in section
    assert 'action="/threads/' not in section


async def test_a_citizen_posts_replies_edits_and_deletes_through_forms(
    client: httpx.AsyncClient, settings: Settings, mandate: Mandate, citizen: Actor, thread: Thread
) -> None:
    await _browse_as(client, settings, citizen.user_id)
    page = f"/mandates/{mandate.id}"
    token = await _csrf(client, page)
    posted = await client.post(
        f"/threads/{thread.id}/comments",
        data={"csrf_token": token, "body": "Mein *Argument*", "stance": "against"},
    )
    assert posted.status_code == 303
    comment = await Comment.get(thread_id=thread.id)
    assert posted.headers["location"] == f"{page}#comment-{comment.id}"
    assert comment.stance == "against"
    html = (await client.get(page)).text
    assert "<em>Argument</em>" in html and "Dagegen" in html
    replied = await client.post(
        f"/threads/{thread.id}/comments",
        data={"csrf_token": token, "body": "Eine Antwort", "parent_id": str(comment.id)},
    )
    assert replied.status_code == 303
    reply = await Comment.get(parent_id=comment.id)
    edited = await client.post(
        f"/comments/{comment.id}/edit",
        data={"csrf_token": token, "body": "Mein besseres Argument", "stance": "against"},
    )
    assert edited.status_code == 303
    history = (await client.get(f"/comments/{comment.id}/history")).text
    assert "<em>Argument</em>" in history and "Mein besseres Argument" in history
    deleted = await client.post(f"/comments/{comment.id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    html = _discussion((await client.get(page)).text)
    assert "Vom Autor gelöscht." in html
    assert "Eine Antwort" in html and f'id="comment-{reply.id}"' in html


async def test_mistakes_come_back_next_to_the_field_with_the_text_kept(
    client: httpx.AsyncClient, settings: Settings, mandate: Mandate, citizen: Actor, thread: Thread
) -> None:
    await _browse_as(client, settings, citizen.user_id)
    token = await _csrf(client, f"/mandates/{mandate.id}")
    refused = await client.post(
        f"/threads/{thread.id}/comments",
        data={"csrf_token": token, "body": "Text", "stance": "vielleicht"},
    )
    assert refused.status_code == 422
    assert 'id="new-stance-error"' in refused.text
    assert ">Text</textarea>" in refused.text
    assert await Comment.all().count() == 0


async def test_endorsing_by_form_and_the_balanced_view(
    client: httpx.AsyncClient, settings: Settings, mandate: Mandate, citizen: Actor, thread: Thread
) -> None:
    pro = await talk.post(citizen, thread, "Pro-Argument", stance="for")
    await talk.post(citizen, thread, "Contra-Argument", stance="against")
    fan = await factories.person()
    await _browse_as(client, settings, fan.user_id)
    token = await _csrf(client, f"/mandates/{mandate.id}")
    endorsed = await client.post(f"/comments/{pro.id}/endorse", data={"csrf_token": token})
    assert endorsed.status_code == 303
    assert (await Comment.get(id=pro.id)).endorsement_count == 1
    html = _discussion((await client.get(f"/mandates/{mandate.id}?view=balanced")).text)
    assert "Pro-Argument" in html and "Contra-Argument" in html
    assert 'id="balanced-for-heading"' in html and 'id="balanced-against-heading"' in html
    withdrawn = await client.post(
        f"/comments/{pro.id}/withdraw-endorsement", data={"csrf_token": token}
    )
    assert withdrawn.status_code == 303
    assert (await Comment.get(id=pro.id)).endorsement_count == 0


async def test_official_statements_stand_out_with_role(
    client: httpx.AsyncClient, town: Municipality, mandate: Mandate, thread: Thread
) -> None:
    council = await factories.person(role=Role.COUNCIL, municipality=town, name="Rita Rat")
    await talk.post(council, thread, "Die Verwaltung prüft das.", official=True)
    html = _discussion((await client.get(f"/mandates/{mandate.id}")).text)
    assert "Offizielle Stellungnahme · Ratsmitglied" in html


async def test_load_more_pages_by_cursor(
    client: httpx.AsyncClient, mandate: Mandate, citizen: Actor, thread: Thread
) -> None:
    for _ in range(21):
        await talk.post(citizen, thread)
    html = _discussion((await client.get(f"/mandates/{mandate.id}?sort=oldest")).text)
    more = re.search(r'href="([^"]*cursor=[^"]+)"', html)
    assert more, html
    second = _discussion((await client.get(more.group(1).replace("&amp;", "&"))).text)
    assert second.count('class="comment ') == 1


async def test_measures_and_votes_have_their_discussion_too(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    council = await factories.person(role=Role.COUNCIL, municipality=town, name="Rita Rat")
    accepted = await factories.mandate(citizen, town, Status.ACCEPTED, council=council)
    measure = await plan_factories.measure(council, accepted, title="Radweg planen")
    vote = await vote_factories.vote(council, town)
    for kind, subject_id, path in (
        (SubjectType.MEASURE, measure.id, f"/measures/{measure.id}"),
        (SubjectType.VOTE, vote.id, f"/votes/{vote.id}"),
    ):
        thread = await Thread.get(subject_type=kind, subject_id=subject_id)
        await talk.post(citizen, thread, f"Zu {kind.value}: gute Idee.")
        page = await client.get(path)
        assert page.status_code == 200, page.text
        section = _discussion(page.text)
        assert f"Zu {kind.value}: gute Idee." in section
        assert f'data-thread-id="{thread.id}"' in section
    plan = (await client.get(f"/mandates/{accepted.id}")).text
    assert f'href="/measures/{measure.id}#discussion"' in plan
