"""Priority votes through the JSON API: preparing, moving, ballots, receipts, results, file."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from participation import clock
from participation.actors import Actor
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.votes.models import Ballot, Participation, Vote
from participation.votes.tally import recount
from tests import factories
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]

CREATE = "/api/v1/municipalities/musterdorf/votes"


def _at(hours: float) -> str:
    return (clock.now() + timedelta(hours=hours)).isoformat()


def _budget_vote(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Bürgerhaushalt Mitte 2026",
        "description": "Welche Projekte **finanzieren** wir?",
        "rule": "greedy",
        "budget_cents": 100_000_00,
        "district": "mitte",
        "opens_at": _at(1),
        "closes_at": _at(24 * 14),
        "options": [
            {"title": "Spielplatz", "description": "Neue Geräte", "cost_cents": 40_000_00},
            {"title": "Radweg", "cost_cents": 60_000_00},
            {"title": "Bänke", "cost_cents": 10_000_00},
        ],
        **overrides,
    }


async def _open(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict:
    created = await client.post(CREATE, json=_budget_vote(**overrides), headers=headers)
    assert created.status_code == 201, created.text
    vote_id = created.json()["id"]
    for step in ("scheduled", "open"):
        moved = await client.post(
            f"/api/v1/votes/{vote_id}/transitions", json={"to": step}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    return moved.json()


async def _close_and_publish(client: httpx.AsyncClient, vote_id: int, headers: dict) -> dict:
    for body in ({"to": "closed", "reason": "Test"}, {"to": "published"}):
        moved = await client.post(
            f"/api/v1/votes/{vote_id}/transitions", json=body, headers=headers
        )
        assert moved.status_code == 200, moved.text
    return moved.json()


# -- preparing ------------------------------------------------------------------------------


async def test_the_council_prepares_a_budget_vote(
    client: httpx.AsyncClient, council: Actor, auth: Auth
) -> None:
    response = await client.post(CREATE, json=_budget_vote(), headers=auth(council))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert body["municipality"] == "musterdorf"
    assert body["district"] == {"slug": "mitte", "name": "Mitte"}
    assert "<strong>finanzieren</strong>" in body["description_html"]
    assert body["parameters"]["budget_cents"] == 100_000_00
    assert body["parameters"]["limit_ballot_cost"] is True
    assert body["currency"] == "EUR"
    assert body["eligibility_level"] == "email_verified"
    assert [o["title"] for o in body["options"]] == ["Spielplatz", "Radweg", "Bänke"]
    assert body["options"][0]["cost_cents"] == 40_000_00
    assert body["allowed_transitions"] == ["scheduled", "cancelled"]
    assert body["turnout"] == 0 and body["result"] is None


async def test_preparing_needs_the_council(
    client: httpx.AsyncClient, citizen: Actor, auth: Auth
) -> None:
    assert_problem(await client.post(CREATE, json=_budget_vote()), 401)
    assert_problem(await client.post(CREATE, json=_budget_vote(), headers=auth(citizen)), 403)
    assert await Vote.all().count() == 0


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"rule": "borda"}, {"rule"}),
        ({"budget_cents": None}, {"budget_cents"}),
        ({"budget_cents": 0}, {"budget_cents"}),
        ({"title": ""}, {"title"}),
        ({"opens_at": "2030-01-01T10:00:00"}, {"opens_at"}),
        ({"closes_at": _at(0.5)}, {"closes_at"}),
        ({"district": "atlantis"}, {"district"}),
        ({"options": [{"title": "X", "cost_cents": -5}]}, {"options.0.cost_cents"}),
        ({"surprise": 1}, {"surprise"}),
        ({"title": "a\x00b"}, {"title"}),
        ({"title": "a\u202eb"}, {"title"}),
        ({"options": [{"title": "Spiel\nplatz", "cost_cents": 1}]}, {"options.0.title"}),
        (
            {"options": [{"title": "X", "description": "a\tb", "cost_cents": 1}]},
            {"options.0.description"},
        ),
        ({"description": "![" * 5_000}, {"description"}),
    ],
)
async def test_bad_votes_are_refused_naming_the_field(
    client: httpx.AsyncClient, council: Actor, auth: Auth, change: dict, fields: set[str]
) -> None:
    response = await client.post(CREATE, json=_budget_vote(**change), headers=auth(council))
    assert_problem(response, 422, fields)
    assert await Vote.all().count() == 0


async def test_a_draft_is_edited_then_scheduled_then_frozen(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = (await client.post(CREATE, json=_budget_vote(), headers=auth(council))).json()
    url = f"/api/v1/votes/{vote['id']}"
    assert_problem(await client.get(url, headers=auth(citizen)), 404)
    changed = await client.patch(url, json={"rule": "mes", "title": "Neu"}, headers=auth(council))
    assert changed.status_code == 200, changed.text
    assert changed.json()["rule"] == "mes" and changed.json()["title"] == "Neu"
    assert changed.json()["district"]["slug"] == "mitte"
    assert_problem(await client.patch(url, json={"title": None}, headers=auth(council)), 422)
    options = await client.put(
        url + "/options",
        json={"options": [{"title": "A", "cost_cents": 5}, {"title": "B", "cost_cents": 7}]},
        headers=auth(council),
    )
    assert [o["title"] for o in options.json()["options"]] == ["A", "B"]
    assert_problem(await client.patch(url, json={"title": "X"}, headers=auth(citizen)), 404)
    moved = await client.post(url + "/transitions", json={"to": "scheduled"}, headers=auth(council))
    assert moved.json()["status"] == "scheduled"
    assert (await client.get(url)).json()["title"] == "Neu"
    assert_problem(await client.patch(url, json={"title": "X"}, headers=auth(council)), 409)
    assert_problem(
        await client.put(url + "/options", json={"options": []}, headers=auth(council)), 409
    )


async def test_an_illegal_move_lists_the_allowed_ones(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council))
    url = f"/api/v1/votes/{vote['id']}/transitions"
    problem = assert_problem(
        await client.post(url, json={"to": "published"}, headers=auth(council)), 409
    )
    assert problem["allowed_transitions"] == ["closed", "cancelled"]
    assert problem["status_now"] == "open"
    assert_problem(await client.post(url, json={"to": "closed"}, headers=auth(council)), 422)
    assert_problem(
        await client.post(url, json={"to": "closed", "reason": "x"}, headers=auth(citizen)), 403
    )


async def test_the_initiator_proposes_and_the_council_consents(
    client: httpx.AsyncClient, town: Municipality, council: Actor, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town, Status.COLLECTING)
    body = _budget_vote()
    proposed = await client.post(
        f"/api/v1/mandates/{mandate.id}/votes", json=body, headers=auth(citizen)
    )
    assert proposed.status_code == 201, proposed.text
    vote = proposed.json()
    assert vote["mandate_id"] == mandate.id
    assert vote["allowed_transitions"] == ["cancelled"]
    url = f"/api/v1/votes/{vote['id']}/transitions"
    assert_problem(await client.post(url, json={"to": "scheduled"}, headers=auth(citizen)), 403)
    consent = await client.post(url, json={"to": "scheduled"}, headers=auth(council))
    assert consent.json()["status"] == "scheduled"
    timeline = (await client.get(f"/api/v1/mandates/{mandate.id}/timeline")).json()["items"]
    assert timeline[-1]["kind"] == "vote" and timeline[-1]["data"]["to"] == "scheduled"
    stranger = await factories.person()
    assert_problem(
        await client.post(
            f"/api/v1/mandates/{mandate.id}/votes", json=body, headers=auth(stranger)
        ),
        403,
    )


async def test_votes_are_listed_newest_first_without_others_drafts(
    client: httpx.AsyncClient, council: Actor, auth: Auth
) -> None:
    first = await _open(client, auth(council))
    draft = (await client.post(CREATE, json=_budget_vote(), headers=auth(council))).json()
    listed = (await client.get(CREATE)).json()
    assert [v["id"] for v in listed["items"]] == [first["id"]]
    mine = (await client.get(CREATE, headers=auth(council))).json()
    assert [v["id"] for v in mine["items"]] == [draft["id"], first["id"]]
    assert (await client.get(CREATE + "?status=open")).json()["items"][0]["id"] == first["id"]
    assert_problem(await client.get(CREATE + "?status=done"), 422)
    assert_problem(await client.get("/api/v1/municipalities/nowhere/votes"), 404)


# -- ballots ----------------------------------------------------------------------------------


async def test_casting_gives_a_receipt_and_casting_again_replaces(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council))
    playground, cycle_path, benches = (o["id"] for o in vote["options"])
    url = f"/api/v1/votes/{vote['id']}/ballots"
    first = await client.post(url, json={"choices": [benches, playground]}, headers=auth(citizen))
    assert first.status_code == 201, first.text
    assert first.json()["replaced"] is False
    assert first.json()["choices"] == sorted([playground, benches])
    receipt = first.json()["receipt"]
    assert len(receipt) == 24
    mine = await client.get(url + "/me", headers=auth(citizen))
    assert mine.json()["choices"] == sorted([playground, benches])
    second = await client.post(url, json={"choices": [cycle_path]}, headers=auth(citizen))
    assert second.status_code == 200
    assert second.json()["replaced"] is True and second.json()["receipt"] != receipt
    assert (await client.get(url + "/me", headers=auth(citizen))).json()["choices"] == [cycle_path]
    seen = (await client.get(f"/api/v1/votes/{vote['id']}", headers=auth(citizen))).json()
    assert seen["turnout"] == 1 and seen["voted"] is True
    assert_problem(await client.get(url + "/me", headers=auth(council)), 404)


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("all", "list of option ids"),
        ([0, 1, 2], "cost more than the budget"),
        ([999_999], "no such option"),
        ([], "at least one"),
    ],
)
async def test_bad_ballots_name_the_problem_and_store_nothing(
    client: httpx.AsyncClient,
    council: Actor,
    citizen: Actor,
    auth: Auth,
    choices: Any,
    message: str,
) -> None:
    vote = await _open(client, auth(council))
    ids = [o["id"] for o in vote["options"]]
    if isinstance(choices, list) and choices and choices[0] < len(ids):
        choices = [ids[i] for i in choices]
    response = await client.post(
        f"/api/v1/votes/{vote['id']}/ballots", json={"choices": choices}, headers=auth(citizen)
    )
    problem = assert_problem(response, 422, {"choices"})
    assert message in problem["errors"][0]["message"]
    assert await Ballot.all().count() == 0 and await Participation.all().count() == 0


async def test_ranked_ballots_refuse_duplicate_ranks(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council), rule="schulze")
    a, b, _ = (str(o["id"]) for o in vote["options"])
    url = f"/api/v1/votes/{vote['id']}/ballots"
    response = await client.post(url, json={"choices": {a: 1, b: 1}}, headers=auth(citizen))
    assert assert_problem(response, 422, {"choices"})["rank"] == 1
    ok = await client.post(url, json={"choices": {a: 2, b: 1}}, headers=auth(citizen))
    assert ok.json()["choices"] == [int(b), int(a)]


async def test_points_over_the_limit(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council), rule="cumulative", points_total=10)
    a, b, _ = (str(o["id"]) for o in vote["options"])
    url = f"/api/v1/votes/{vote['id']}/ballots"
    response = await client.post(url, json={"choices": {a: 8, b: 3}}, headers=auth(citizen))
    assert assert_problem(response, 422, {"choices"})["points_total"] == 10


async def test_no_ballot_before_opening_after_closing_or_when_ineligible(
    client: httpx.AsyncClient, town: Municipality, council: Actor, citizen: Actor, auth: Auth
) -> None:
    draft = (await client.post(CREATE, json=_budget_vote(), headers=auth(council))).json()
    await client.post(
        f"/api/v1/votes/{draft['id']}/transitions", json={"to": "scheduled"}, headers=auth(council)
    )
    one = [draft["options"][0]["id"]]
    early = await client.post(
        f"/api/v1/votes/{draft['id']}/ballots", json={"choices": one}, headers=auth(citizen)
    )
    assert assert_problem(early, 409)["status_now"] == "scheduled"
    resident_only = await _open(client, auth(council), eligibility_level="resident_verified")
    ineligible = await client.post(
        f"/api/v1/votes/{resident_only['id']}/ballots",
        json={"choices": [resident_only["options"][0]["id"]]},
        headers=auth(citizen),
    )
    assert assert_problem(ineligible, 403)["needed_level"] == "resident_verified"
    assert_problem(
        await client.post(f"/api/v1/votes/{resident_only['id']}/ballots", json={"choices": one}),
        401,
    )
    vote = await _open(client, auth(council))
    await client.post(
        f"/api/v1/votes/{vote['id']}/transitions",
        json={"to": "closed", "reason": "Früher."},
        headers=auth(council),
    )
    late = await client.post(
        f"/api/v1/votes/{vote['id']}/ballots",
        json={"choices": [vote["options"][0]["id"]]},
        headers=auth(citizen),
    )
    assert_problem(late, 409)
    assert await Ballot.all().count() == 0


# -- receipts, results, the file -----------------------------------------------------------------


async def test_receipts_and_results_only_after_closing(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council))
    url = f"/api/v1/votes/{vote['id']}"
    cast = await client.post(
        url + "/ballots", json={"choices": [vote["options"][1]["id"]]}, headers=auth(citizen)
    )
    receipt = cast.json()["receipt"]
    for path in ("/receipts", "/result", "/ballots.pb"):
        assert assert_problem(await client.get(url + path), 409)["status_now"] == "open"
    assert (await client.get(url)).json()["result"] is None
    await client.post(
        url + "/transitions", json={"to": "closed", "reason": "Fertig."}, headers=auth(council)
    )
    digest = hashlib.sha256(receipt.replace("-", "").encode()).hexdigest()
    receipts = (await client.get(url + "/receipts")).json()
    assert receipts == {"items": [digest], "next": None}
    assert (await client.get(url + f"/receipts?digest={digest}")).json()["items"] == [digest]
    assert (await client.get(url + "/receipts?digest=" + "0" * 64)).json()["items"] == []
    assert_problem(await client.get(url + "/receipts?digest=XYZ"), 422, {"digest"})
    assert_problem(await client.get(url + "/result"), 409)
    published = await client.post(
        url + "/transitions", json={"to": "published"}, headers=auth(council)
    )
    result = published.json()["result"]
    assert result["winners"] == [str(vote["options"][1]["id"])]
    assert result["turnout"] == 1 and result["quorum_met"] is True
    assert (await client.get(url + "/result")).json()["rounds"] == result["rounds"]
    assert (await client.get(url + "/receipts")).json()["items"] == [digest]
    assert_problem(await client.get(url + "/ballots/me", headers=auth(citizen)), 409)


async def test_the_published_file_has_no_personal_data_and_recounts_the_same(
    client: httpx.AsyncClient, council: Actor, auth: Auth, tmp_path: Path
) -> None:
    vote = await _open(client, auth(council), rule="mes")
    ids = [o["id"] for o in vote["options"]]
    voters = [await factories.person(name=f"Wählerin {n}", district="mitte") for n in range(9)]
    for n, voter in enumerate(voters):
        choices = [ids[n % 3]] + ([ids[2]] if n % 3 == 0 else [])
        await client.post(
            f"/api/v1/votes/{vote['id']}/ballots", json={"choices": choices}, headers=auth(voter)
        )
    published = await _close_and_publish(client, vote["id"], auth(council))
    response = await client.get(f"/api/v1/votes/{vote['id']}/ballots.pb")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "attachment" in response.headers["content-disposition"]
    text = response.text
    assert "Wählerin" not in text and "@example.org" not in text
    assert "rule;equalshares/add1-comparison" in text
    path = tmp_path / "vote.pb"
    path.write_text(text, encoding="utf-8")
    assert recount.recount(path).result.winners == published["result"]["winners"]
    stored = await Vote.get(id=vote["id"])
    assert stored.ballot_key is None


async def test_quorum_not_met_publishes_no_ballots(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council), min_turnout=5)
    await client.post(
        f"/api/v1/votes/{vote['id']}/ballots",
        json={"choices": [vote["options"][0]["id"]]},
        headers=auth(citizen),
    )
    published = await _close_and_publish(client, vote["id"], auth(council))
    assert published["result"]["quorum_met"] is False and published["result"]["winners"] == []
    assert_problem(await client.get(f"/api/v1/votes/{vote['id']}/ballots.pb"), 409)


async def test_the_openapi_document_describes_votes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/api/v1/municipalities/{slug}/votes",
        "/api/v1/mandates/{mandate_id}/votes",
        "/api/v1/votes/{vote_id}",
        "/api/v1/votes/{vote_id}/transitions",
        "/api/v1/votes/{vote_id}/options",
        "/api/v1/votes/{vote_id}/ballots",
        "/api/v1/votes/{vote_id}/ballots/me",
        "/api/v1/votes/{vote_id}/receipts",
        "/api/v1/votes/{vote_id}/result",
        "/api/v1/votes/{vote_id}/ballots.pb",
    ):
        assert path in paths, path
    cast = paths["/api/v1/votes/{vote_id}/ballots"]["post"]
    assert {"200", "201", "401", "403", "404", "409", "422"} <= set(cast["responses"])


# -- closing while ballots arrive, over HTTP ----------------------------------------------------


@pytest.mark.postgres
async def test_every_acknowledged_ballot_is_counted_when_closing_races_casts(
    client: httpx.AsyncClient, council: Actor, auth: Auth
) -> None:
    vote = await _open(client, auth(council))
    url = f"/api/v1/votes/{vote['id']}"
    voters = await asyncio.gather(*(factories.person(district="mitte") for _ in range(120)))
    answers: list[httpx.Response] = []
    arrived = asyncio.Event()
    closed = asyncio.Event()

    async def cast(n: int, voter: Actor) -> None:
        # The last third comes after the close: a stream of casts can hold the close back
        # until it pauses, and then no cast would be left to refuse.
        if n >= 80:
            await closed.wait()
        await asyncio.sleep(n * 0.004)
        choice = vote["options"][n % 3]["id"]
        answers.append(
            await client.post(url + "/ballots", json={"choices": [choice]}, headers=auth(voter))
        )
        if len(answers) == 40:
            arrived.set()

    async def close() -> None:
        await arrived.wait()
        moved = await client.post(
            url + "/transitions", json={"to": "closed", "reason": "Jetzt."}, headers=auth(council)
        )
        assert moved.status_code == 200, moved.text
        closed.set()

    await asyncio.gather(*(cast(n, v) for n, v in enumerate(voters)), close())
    acknowledged = [r for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code == 409]
    assert len(acknowledged) + len(refused) == len(voters)
    assert acknowledged and refused
    digests = {
        hashlib.sha256(r.json()["receipt"].replace("-", "").encode()).hexdigest()
        for r in acknowledged
    }
    counted = (await client.get(url + "/receipts")).json()
    assert set(counted["items"]) == digests or counted["next"] is not None
    assert set(
        await Ballot.filter(vote_id=vote["id"]).values_list("receipt_digest", flat=True)
    ) == (digests)
    assert (await client.get(url)).json()["turnout"] == len(acknowledged)
