"""Two municipalities on one deployment: what belongs to one never appears under the other's
slug, and its people hold no power there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from participation.actors import Actor
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.factories import votes as vote_factories
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]


@dataclass
class Town:
    municipality: Municipality
    council: Actor
    admin: Actor
    mandate_title: str
    submitted_title: str
    vote_title: str


async def _town(slug: str, name: str, district: tuple[str, str]) -> Town:
    municipality = await factories.municipality(slug, name=name, districts=(district,), quorum=2)
    council = await factories.council_member(municipality)
    admin = await factories.person(role=Role.ADMIN, municipality=municipality, lives_in=None)
    citizen = await factories.person(lives_in=municipality)
    collecting = f"Radweg in {name}"
    submitted = f"Spielplatz in {name}"
    await factories.mandate(citizen, municipality, title=collecting, district=district[0])
    await factories.mandate(
        citizen, municipality, Status.SUBMITTED, title=submitted, council=council
    )
    vote_title = f"Haushalt {name}"
    await vote_factories.vote(council, municipality, title=vote_title)
    return Town(municipality, council, admin, collecting, submitted, vote_title)


@pytest.fixture
async def towns(client: httpx.AsyncClient) -> tuple[Town, Town]:
    return (
        await _town("alpha", "Alphastadt", ("hafen", "Hafenviertel")),
        await _town("beta", "Betadorf", ("anger", "Am Anger")),
    )


async def test_public_lists_and_pages_show_only_their_own_town(
    client: httpx.AsyncClient, towns: tuple[Town, Town]
) -> None:
    alpha, beta = towns
    for here, there in ((alpha, beta), (beta, alpha)):
        slug = here.municipality.slug
        mandates = (await client.get(f"/api/v1/municipalities/{slug}/mandates")).json()
        titles = {m["title"] for m in mandates["items"]}
        assert here.mandate_title in titles and there.mandate_title not in titles
        votes = (await client.get(f"/api/v1/municipalities/{slug}/votes")).json()
        assert {v["title"] for v in votes["items"]} == {here.vote_title}
        districts = (await client.get(f"/api/v1/municipalities/{slug}")).json()["districts"]
        assert len(districts) == 1
        page = (await client.get(f"/m/{slug}")).text
        assert here.mandate_title in page and there.mandate_title not in page
        assert there.municipality.name not in page
        votes_page = (await client.get(f"/m/{slug}/votes")).text
        assert here.vote_title in votes_page and there.vote_title not in votes_page
        feed = (await client.get(f"/m/{slug}/feed.atom")).text
        assert there.mandate_title not in feed
    # Alpha's district, asked of Beta, names nothing there.
    hafen = await client.get("/api/v1/municipalities/beta/mandates?district=hafen")
    assert hafen.status_code == 200 and hafen.json()["items"] == []


async def test_the_review_queue_holds_only_its_own_mandates_and_refuses_strangers(
    client: httpx.AsyncClient, towns: tuple[Town, Town], auth: Auth
) -> None:
    alpha, beta = towns
    own = await client.get("/api/v1/municipalities/beta/review-queue", headers=auth(beta.council))
    assert own.status_code == 200, own.text
    assert alpha.submitted_title not in own.text and beta.submitted_title in own.text
    stranger = await client.get(
        "/api/v1/municipalities/beta/review-queue", headers=auth(alpha.council)
    )
    assert_problem(stranger, 403)


async def test_an_administrator_of_one_town_has_no_admin_pages_in_the_other(
    client: httpx.AsyncClient, towns: tuple[Town, Town], auth: Auth
) -> None:
    alpha, beta = towns
    for path in ("roles", "invitations", "audit-log"):
        refused = await client.get(f"/api/v1/municipalities/beta/{path}", headers=auth(alpha.admin))
        assert_problem(refused, 403)
    own = await client.get("/api/v1/municipalities/alpha/roles", headers=auth(alpha.admin))
    emails = {m["email"] for m in own.json()["items"]}
    assert alpha.council.user_id in {m["user_id"] for m in own.json()["items"]}
    assert beta.council.user_id not in {m["user_id"] for m in own.json()["items"]}
    assert emails
    launched = await client.post(
        "/api/v1/municipalities/beta/mandates",
        json={"title": "Fremd", "summary": "Kurz.", "body": "Text.", "district": "hafen"},
        headers=auth(alpha.council),
    )
    # She does not live in Beta (403), and Alpha's district is none of Beta's.
    assert launched.status_code == 403
