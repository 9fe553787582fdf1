"""Outcome ratings through the API: who may rate, what is refused, what the public reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from participation import clock
from participation.actors import Actor
from participation.mandates.models import Rating, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.factories.ratings import finished_mandate
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]


def _url(mandate_id: int) -> str:
    return f"/api/v1/mandates/{mandate_id}/ratings"


async def _who(who: str, town: Municipality, signers: list[Actor]) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "initiator":
        return signers[0]
    if who == "co-signer":
        return signers[1]
    if who == "citizen":
        return await factories.person(lives_in=town)
    if who == "council":
        return await factories.council_member(town)
    if who == "council elsewhere":
        other = await factories.municipality("anderswo", name="Anderswo")
        return await factories.person(role=Role.COUNCIL, municipality=other)
    assert who == "admin"
    return await factories.person(role=Role.ADMIN, municipality=town)


# Only those who co-signed rate; the roles give no right to speak for the signers.
MATRIX = {
    "anonymous": 401,
    "citizen": 403,
    "co-signer": 201,
    "initiator": 201,
    "council": 403,
    "council elsewhere": 403,
    "admin": 403,
}


@pytest.mark.parametrize("who", list(MATRIX))
async def test_permission_matrix(
    client: httpx.AsyncClient, town: Municipality, auth: Auth, who: str
) -> None:
    mandate, signers = await finished_mandate(town)
    person = await _who(who, town, signers)
    response = await client.post(
        _url(mandate.id), json={"score": 4}, headers=auth(person) if person else {}
    )
    assert response.status_code == MATRIX[who], response.text
    assert await Rating.all().count() == (1 if MATRIX[who] == 201 else 0)


async def test_a_council_member_who_co_signed_rates_as_a_co_signer(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    council = await factories.council_member(town)
    mandate, _ = await finished_mandate(town, initiator=council)
    response = await client.post(_url(mandate.id), json={"score": 5}, headers=auth(council))
    assert response.status_code == 201


async def test_rate_then_edit_then_refused_after_30_days(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    mandate, (_, signer, *_) = await finished_mandate(town)
    first = await client.post(
        _url(mandate.id), json={"score": 3, "comment": "Na ja."}, headers=auth(signer)
    )
    assert first.status_code == 201
    given = first.json()
    assert given["score"] == 3 and given["comment_html"] == "<p>Na ja.</p>\n"
    edited = await client.post(_url(mandate.id), json={"score": 4}, headers=auth(signer))
    assert edited.status_code == 200
    assert edited.json()["id"] == given["id"] and edited.json()["comment"] == ""

    # 31 days on (sessions follow the clock too, so the rating is moved back instead).
    given_at = clock.now() - timedelta(days=31)
    await Rating.filter(id=given["id"]).update(created_at=given_at)
    late = await client.post(_url(mandate.id), json={"score": 1}, headers=auth(signer))
    body = assert_problem(late, 409)
    assert body["editable_until"] == (given_at + timedelta(days=30)).isoformat()
    assert (await Rating.get(id=given["id"])).score == 4


async def test_before_completion_409_and_nothing_stored(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    mandate, (initiator, *_) = await finished_mandate(town, Status.IN_PROGRESS)
    response = await client.post(_url(mandate.id), json={"score": 5}, headers=auth(initiator))
    assert assert_problem(response, 409)["status_now"] == "in_progress"
    assert await Rating.all().count() == 0


@pytest.mark.parametrize("score", [0, 6, 2.5, "3", True, None])
async def test_bad_scores_422_naming_score(
    client: httpx.AsyncClient, town: Municipality, auth: Auth, score: object
) -> None:
    mandate, (_, signer, *_) = await finished_mandate(town)
    response = await client.post(_url(mandate.id), json={"score": score}, headers=auth(signer))
    assert_problem(response, 422, {"score"})
    assert await Rating.all().count() == 0


async def test_missing_score_and_long_comment_are_named(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    mandate, (_, signer, *_) = await finished_mandate(town)
    response = await client.post(
        _url(mandate.id), json={"comment": "x" * 2001, "show_name": "ja"}, headers=auth(signer)
    )
    assert_problem(response, 422, {"score", "comment", "show_name"})
    assert await Rating.all().count() == 0


async def test_the_public_reads_summary_and_comments_without_hidden_names(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    mandate, (initiator, signer, third, *_) = await finished_mandate(town)
    for who, body in (
        (initiator, {"score": 5, "comment": "Danke!", "show_name": True}),
        (signer, {"score": 2, "comment": "Zu spät."}),
        (third, {"score": 4}),
    ):
        assert (
            await client.post(_url(mandate.id), json=body, headers=auth(who))
        ).status_code == 201

    public = (await client.get(_url(mandate.id))).json()
    assert (public["average"], public["count"]) == (3.7, 3)
    assert public["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert [(i["score"], i["comment"], i["author"]) for i in public["items"]] == [
        (2, "Zu spät.", None),
        (5, "Danke!", {"display_name": "Initiatorin"}),
    ]
    assert public["mine"] is None and public["may_rate"] is False and public["open"] is True
    assert "Person" not in str(public["items"])

    own = (await client.get(_url(mandate.id), headers=auth(signer))).json()
    assert own["mine"]["score"] == 2 and own["mine"]["show_name"] is False
    assert own["may_rate"] is True

    mandate_json = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert mandate_json["rating"] == {
        "average": 3.7,
        "count": 3,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    listed = (await client.get(f"/api/v1/municipalities/{town.slug}/mandates")).json()
    assert listed["items"][0]["rating"]["count"] == 3


async def test_comments_page_with_cursor(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    mandate, signers = await finished_mandate(town)
    for n, who in enumerate(signers):
        await client.post(
            _url(mandate.id), json={"score": 3, "comment": f"Nr. {n}"}, headers=auth(who)
        )
    first = (await client.get(_url(mandate.id), params={"limit": 2})).json()
    assert [i["comment"] for i in first["items"]] == ["Nr. 3", "Nr. 2"]
    rest = (await client.get(_url(mandate.id), params={"limit": 2, "cursor": first["next"]})).json()
    assert [i["comment"] for i in rest["items"]] == ["Nr. 1", "Nr. 0"] and rest["next"] is None
    assert_problem(await client.get(_url(mandate.id), params={"cursor": "x"}), 422, {"cursor"})


async def test_a_mandate_without_ratings_and_unknown_mandates(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    initiator = await factories.person(lives_in=town)
    collecting = await factories.mandate(initiator, town)
    body = (await client.get(_url(collecting.id))).json()
    assert (body["average"], body["count"], body["open"], body["items"]) == (None, 0, False, [])
    assert_problem(await client.get(_url(999_999)), 404)
    response = await client.post(_url(999_999), json={"score": 3}, headers=auth(initiator))
    assert_problem(response, 404)
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    assert_problem(await client.get(_url(draft.id)), 404)


async def test_deleting_her_account_keeps_her_score_anonymously(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    mandate, (_, signer, other, *_) = await finished_mandate(town)
    await client.post(
        _url(mandate.id),
        json={"score": 1, "comment": "Mein Name!", "show_name": True},
        headers=auth(signer),
    )
    await client.post(_url(mandate.id), json={"score": 5}, headers=auth(other))
    export = (await client.get("/api/v1/me/export", headers=auth(signer))).json()
    assert [(r["score"], r["comment"]) for r in export["ratings"]] == [(1, "Mein Name!")]

    me = (await client.get("/api/v1/me", headers=auth(signer))).json()
    deleted = await client.request(
        "DELETE", "/api/v1/me", json={"confirm_email": me["email"]}, headers=auth(signer)
    )
    assert deleted.status_code == 204, deleted.text

    public = (await client.get(_url(mandate.id))).json()
    assert (public["count"], public["average"], public["items"]) == (2, 3.0, [])
