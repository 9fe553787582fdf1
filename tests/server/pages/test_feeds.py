"""Atom feeds of the public timelines, read back with feedparser as a feed reader would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import feedparser
import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.mandates import commands
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.timeline.models import TimelineEntry
from server.settings import Settings
from tests import factories
from tests.support import make_settings

BASE = "https://beteiligung.musterdorf.example"
ATOM = "application/atom+xml; charset=utf-8"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Links must come from BASE_URL; requests below arrive with another Host header.
    return make_settings(database_url, tmp_path / "var", base_url=BASE)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as http:
        yield http


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


@pytest.fixture
async def citizen(town: Municipality) -> Actor:
    return await factories.person(name="Clara Citizen", lives_in=town)


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.council_member(town)


def parse(response: httpx.Response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ATOM
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


async def test_a_mandates_feed_lists_its_timeline_newest_first(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    mandate = await factories.mandate(
        citizen, town, Status.IN_REVIEW, title="Mehr Bänke am Marktplatz", council=council
    )
    feed = parse(await client.get(f"/mandates/{mandate.id}/feed.atom"))

    assert feed.feed.title == "Mehr Bänke am Marktplatz · Musterdorf"
    assert feed.feed.language == "de"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "alternate": f"{BASE}/mandates/{mandate.id}",
        "self": f"{BASE}/mandates/{mandate.id}/feed.atom",
    }
    titles = [e.title for e in feed.entries]
    assert titles == [
        "Status: In Prüfung. von Ratsmitglied",
        "Quorum mit 4 Unterschriften erreicht: beim Rat eingereicht.",
        "75 % des Quorums erreicht (3 Unterschriften).",
        "50 % des Quorums erreicht (2 Unterschriften).",
        "25 % des Quorums erreicht (1 Unterschriften).",
        "Status: Sammelt Unterschriften. von Clara Citizen",
        "Auftrag gestartet von Clara Citizen.",
    ]
    stored = await TimelineEntry.filter(mandate_id=mandate.id).order_by("-id")
    assert [e.link for e in feed.entries] == [
        f"{BASE}/mandates/{mandate.id}#entry-{s.id}" for s in stored
    ]
    assert all(e.id.startswith("tag:beteiligung.musterdorf.example,") for e in feed.entries)
    assert len({e.id for e in feed.entries}) == len(stored)
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed
    # People act under their display name, the platform (milestones, quorum) as nobody.
    assert feed.entries[0].author == "Ratsmitglied"
    assert "author" not in feed.entries[1] or feed.entries[1].author == "Musterdorf"
    assert feed.entries[0].tags[0].term == "status"
    content = feed.entries[0].content[0]
    assert content.type == "text/html"
    assert "In Prüfung" in content.value
    assert "evil.example" not in (await client.get(f"/mandates/{mandate.id}/feed.atom")).text


async def test_the_feed_speaks_english_on_request(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, Status.IN_REVIEW, council=council)
    feed = parse(await client.get(f"/mandates/{mandate.id}/feed.atom?lang=en"))
    assert feed.feed.language == "en"
    assert feed.entries[0].title == "Status: In review. by Ratsmitglied"
    assert {link.rel: link.href for link in feed.feed.links}["self"] == (
        f"{BASE}/mandates/{mandate.id}/feed.atom?lang=en"
    )
    # A browser's language does not change the default: feed readers rarely send one.
    german = parse(
        await client.get(f"/mandates/{mandate.id}/feed.atom", headers={"Accept-Language": "en"})
    )
    assert german.feed.language == "de"


async def test_user_text_is_escaped_not_markup(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    title = 'Ampel <script>alert("x")</script> & Co'
    mandate = await factories.mandate(citizen, town, Status.IN_REVIEW, title=title, council=council)
    reason = "Nein </content><entry>gefälscht</entry> & \x07Schluss"
    await commands.transition_mandate(council, mandate.id, Status.REJECTED, reason)
    response = await client.get(f"/mandates/{mandate.id}/feed.atom")
    feed = parse(response)
    assert "<script>" not in response.text
    assert "<entry>gefälscht" not in response.text
    assert feed.feed.title == f"{title} · Musterdorf"
    assert len(feed.entries) == 8  # the forged entry is text, not an entry
    rejected = feed.entries[0].content[0].value
    assert "&lt;/content&gt;&lt;entry&gt;gefälscht&lt;/entry&gt; &amp;" in rejected
    assert "\x07" not in response.text


async def test_drafts_have_no_feed_and_unknown_ones_neither(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    draft = await factories.mandate(citizen, town, Status.DRAFT)
    assert (await client.get(f"/mandates/{draft.id}/feed.atom")).status_code == 404
    assert (await client.get("/mandates/999999/feed.atom")).status_code == 404
    assert (await client.get("/m/nirgendwo/feed.atom")).status_code == 404


async def test_the_municipality_feed_gathers_its_public_mandates(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    first = await factories.mandate(citizen, town, Status.COLLECTING, title="Radweg")
    await factories.mandate(citizen, town, Status.DRAFT, title="Geheimer Entwurf")
    second = await factories.mandate(citizen, town, Status.IN_REVIEW, title="Spielplatz")
    elsewhere = await factories.municipality("nachbarort", name="Nachbarort")
    await factories.mandate(
        await factories.person(lives_in=elsewhere), elsewhere, Status.COLLECTING, title="Fremd"
    )
    feed = parse(await client.get("/m/musterdorf/feed.atom"))
    assert feed.feed.title == "Bürgeraufträge · Musterdorf"
    assert {link.rel: link.href for link in feed.feed.links}["alternate"] == f"{BASE}/m/musterdorf"
    stored = await TimelineEntry.filter(mandate_id__in=[first.id, second.id]).order_by("-id")
    assert [e.link for e in feed.entries] == [
        f"{BASE}/mandates/{s.mandate_id}#entry-{s.id}" for s in stored
    ]
    assert feed.entries[0].title == "Spielplatz: Status: In Prüfung. von Ratsmitglied"
    assert not any("Entwurf" in e.title or "Fremd" in e.title for e in feed.entries)


async def test_a_feed_holds_the_newest_fifty(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, Status.COLLECTING)
    await TimelineEntry.bulk_create(
        [
            TimelineEntry(
                mandate_id=mandate.id,
                municipality_id=town.id,
                kind="milestone",
                data={"percent": n, "count": n},
            )
            for n in range(60)
        ]
    )
    for url in (f"/mandates/{mandate.id}/feed.atom", "/m/musterdorf/feed.atom"):
        feed = parse(await client.get(url))
        assert len(feed.entries) == 50
        assert "59 %" in feed.entries[0].title and "10 %" in feed.entries[-1].title


async def test_feeds_can_be_cached_and_revalidated(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, Status.SUBMITTED)
    url = f"/mandates/{mandate.id}/feed.atom"
    first = await client.get(url)
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["last-modified"].endswith(" GMT")
    etag = first.headers["etag"]
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await commands.transition_mandate(council, mandate.id, Status.IN_REVIEW)
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_pages_announce_their_feeds(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, Status.COLLECTING)
    page = (await client.get(f"/mandates/{mandate.id}")).text
    assert (
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="Zeitleiste dieses Auftrags (Atom-Feed)" href="/mandates/{mandate.id}/feed.atom">'
    ) in page
    assert f'<a href="/mandates/{mandate.id}/feed.atom" type="application/atom+xml">' in page
    listing = (await client.get("/m/musterdorf?lang=en")).text
    assert 'href="/m/musterdorf/feed.atom?lang=en"' in listing
    assert "s timeline as an Atom feed</a>" in listing
