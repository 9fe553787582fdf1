"""Vote pages as a browser without JavaScript meets them: ballot, receipt, result, council."""

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
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from participation.votes import commands, secrecy
from participation.votes.drafts import OptionDraft
from participation.votes.models import Ballot, Participation, Rule, Vote, VoteStatus
from server.auth import sign_in_cookies
from server.pages.vote_forms import local_input
from server.settings import Settings
from tests import factories
from tests.factories import votes as vote_factories

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.person(email="rat@example.org", role=Role.COUNCIL, municipality=town)


async def browse_as(client: httpx.AsyncClient, settings: Settings, person: Actor) -> None:
    """Give `client` a browser session of `person`, as the sign-in link would."""
    started = await sessions.start_session(
        person.user_id, sessions.BROWSER, "tests", timedelta(hours=1)
    )
    for header in sign_in_cookies(settings, started):
        cookie = SimpleCookie(header.decode())
        for name, morsel in cookie.items():
            client.cookies.set(name, morsel.value)


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def _budget_vote(council: Actor, town: Municipality, **overrides: object) -> Vote:
    return await vote_factories.vote(council, town, rule=Rule.GREEDY, **overrides)


# -- reading ------------------------------------------------------------------------------------


async def test_the_vote_page_shows_options_costs_status_and_turnout(
    client: httpx.AsyncClient, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    voter = await factories.person()
    await commands.cast_ballot(voter, vote.id, (await vote_factories.option_ids(vote.id))[:1])
    page = await client.get(f"/votes/{vote.id}?lang=en")
    assert page.status_code == 200
    text = page.text
    assert vote.title in text and "<strong>zuerst</strong>" in text
    assert "Spielplatz Mitte" in text and "€40,000.00" in text
    assert "Open for voting" in text
    assert '<dd id="turnout">1</dd>' in text
    assert f'href="/votes/{vote.id}/ballot"' in text
    assert "Sign in first" not in text


async def test_the_municipality_and_its_votes_link_to_each_other(
    client: httpx.AsyncClient, town: Municipality, council: Actor
) -> None:
    open_vote = await _budget_vote(council, town)
    draft = await vote_factories.vote(council, town, VoteStatus.DRAFT)
    assert 'href="/m/musterdorf/votes"' in (await client.get("/m/musterdorf")).text
    listed = (await client.get("/m/musterdorf/votes")).text
    assert f'href="/votes/{open_vote.id}"' in listed
    assert f'href="/votes/{draft.id}"' not in listed
    assert (await client.get(f"/votes/{draft.id}")).status_code == 404


async def test_the_mandate_page_lists_its_votes_and_offers_the_initiator_to_propose(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    vote = await vote_factories.vote(council, town, mandate_id=mandate.id)
    page = (await client.get(f"/mandates/{mandate.id}")).text
    assert f'href="/votes/{vote.id}"' in page
    assert "/votes/new" not in page
    await browse_as(client, settings, initiator)
    page = (await client.get(f"/mandates/{mandate.id}")).text
    assert f'href="/mandates/{mandate.id}/votes/new"' in page
    assert "kind-vote" in page  # the timeline tells of the vote


# -- the ballot -------------------------------------------------------------------------------


async def test_voting_without_javascript_gives_a_receipt_shown_once(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    playground, cycle_path, *_ = await vote_factories.option_ids(vote.id)
    voter = await factories.person()
    await browse_as(client, settings, voter)
    form = await client.get(f"/votes/{vote.id}/ballot?lang=en")
    assert form.status_code == 200
    assert "<fieldset" in form.text and "<legend>" in form.text
    assert f'<label for="option-{playground}">' in form.text
    assert "Left: €100,000.00" in form.text
    token = CSRF.search(form.text)
    assert token
    cast = await client.post(
        f"/votes/{vote.id}/ballot",
        data={"csrf_token": token.group(1), "choice": [str(playground), str(cycle_path)]},
    )
    assert cast.status_code == 303
    assert cast.headers["location"] == f"/votes/{vote.id}/receipt"
    assert "HttpOnly" in cast.headers["set-cookie"]
    receipt_page = await client.get(f"/votes/{vote.id}/receipt?lang=en")
    code = re.search(r'<code id="receipt-code">([^<]+)</code>', receipt_page.text)
    assert code, receipt_page.text
    ballot = await Ballot.get(vote_id=vote.id)
    assert ballot.receipt_digest == secrecy.receipt_digest(code.group(1))
    assert ballot.choices == sorted([playground, cycle_path])
    again = await client.get(f"/votes/{vote.id}/receipt?lang=en")
    assert "receipt-code" not in again.text and "cannot be shown again" in again.text
    vote_page = await client.get(f"/votes/{vote.id}?lang=en")
    assert "Change my vote" in vote_page.text
    form = await client.get(f"/votes/{vote.id}/ballot?lang=en")
    assert f'value="{playground}" data-cost="4000000" checked' in form.text
    assert "Replace my ballot" in form.text


async def test_an_over_budget_ballot_shows_the_error_and_keeps_the_choices(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    ids = await vote_factories.option_ids(vote.id)
    await browse_as(client, settings, await factories.person())
    token = await csrf(client, f"/votes/{vote.id}/ballot")
    refused = await client.post(
        f"/votes/{vote.id}/ballot?lang=en",
        data={"csrf_token": token, "choice": [str(i) for i in ids]},
    )
    assert refused.status_code == 422
    assert 'class="error-summary" role="alert"' in refused.text
    assert 'id="choices-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "more than the budget" in refused.text
    assert refused.text.count("checked") == len(ids)
    assert "Left: -€30,000.00" in refused.text
    meter = refused.text.split('id="meter"')[1].split("</p>")[0]
    assert 'aria-live="polite"' in meter
    assert "€30,000.00 over budget: remove something to submit." in meter
    assert await Ballot.all().count() == 0 and await Participation.all().count() == 0


BRIEFLY = {
    Rule.APPROVAL: ("the option ticked on the most ballots wins", "auf den meisten Stimmzetteln"),
    Rule.IRV: ("fewest first choices drops out", "wenigsten Erststimmen"),
    Rule.SCHULZE: ("most head-to-head comparisons", "meisten direkten Vergleiche"),
    Rule.CUMULATIVE: ("Share out your points", "Verteile deine Punkte"),
    Rule.GREEDY: ("with the most votes are funded until", "Stimmen werden gefördert"),
    Rule.GREEDY_THRESHOLD: ("and at least the minimum", "mindestens aber der Mindestzahl"),
    Rule.MES: ("an equal share of the budget", "gleichen Anteil am Budget"),
    Rule.ORDINAL_GREEDY: ("most points by rank", "meisten Rangpunkten"),
}


@pytest.mark.parametrize("rule", list(Rule))
async def test_vote_and_ballot_say_in_one_sentence_what_the_rule_does(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor, rule: Rule
) -> None:
    vote = await vote_factories.vote(council, town, rule=rule)
    english, german = BRIEFLY[rule]
    await browse_as(client, settings, await factories.person())
    for path in (f"/votes/{vote.id}", f"/votes/{vote.id}/ballot"):
        page = (await client.get(path + "?lang=en")).text
        summary = page.split('<div class="rule-summary">')[1].split("</div>")[0]
        brief, details = summary.split("<details", 1)
        assert english in brief and brief.count(". ") == 0
        assert "<summary>How exactly is this counted?</summary>" in details
        assert len(details) > len(brief)
        assert german in (await client.get(path + "?lang=de")).text


async def test_an_over_budget_choice_is_named_when_the_ballot_is_shown(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    await browse_as(client, settings, await factories.person())
    form = (await client.get(f"/votes/{vote.id}/ballot?lang=en")).text
    assert 'data-over="{over} over budget: remove something to submit."' in form
    assert 'class="over-budget"' not in form
    german = (await client.get(f"/votes/{vote.id}/ballot?lang=de")).text
    assert "über dem Budget: entferne etwas" in german


async def test_a_ranked_ballot_with_selects(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.IRV)
    a, b, c, _ = await vote_factories.option_ids(vote.id)
    await browse_as(client, settings, await factories.person())
    form = await client.get(f"/votes/{vote.id}/ballot")
    assert f'<select id="rank-{a}" name="rank_{a}">' in form.text
    token = CSRF.search(form.text)
    assert token
    same = await client.post(
        f"/votes/{vote.id}/ballot?lang=en",
        data={"csrf_token": token.group(1), f"rank_{a}": "1", f"rank_{b}": "1"},
    )
    assert same.status_code == 422 and "share a rank" in same.text
    ok = await client.post(
        f"/votes/{vote.id}/ballot",
        data={"csrf_token": token.group(1), f"rank_{c}": "1", f"rank_{a}": "2", f"rank_{b}": ""},
    )
    assert ok.status_code == 303
    assert (await Ballot.get(vote_id=vote.id)).choices == [c, a]


async def test_a_points_ballot_refuses_what_is_not_a_number(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.CUMULATIVE)
    a, b, *_ = await vote_factories.option_ids(vote.id)
    await browse_as(client, settings, await factories.person())
    token = await csrf(client, f"/votes/{vote.id}/ballot")
    bad = await client.post(
        f"/votes/{vote.id}/ballot?lang=en",
        data={"csrf_token": token, f"points_{a}": "drei"},
    )
    assert bad.status_code == 422 and "whole numbers" in bad.text
    assert 'value="drei"' in bad.text
    ok = await client.post(
        f"/votes/{vote.id}/ballot",
        data={"csrf_token": token, f"points_{a}": "3", f"points_{b}": "2"},
    )
    assert ok.status_code == 303


async def test_the_ballot_needs_sign_in_csrf_and_an_open_vote(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    option = str((await vote_factories.option_ids(vote.id))[0])
    anonymous = await client.get(f"/votes/{vote.id}/ballot")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    await browse_as(client, settings, await factories.person())
    forged = await client.post(f"/votes/{vote.id}/ballot", data={"choice": option})
    assert forged.status_code == 422
    scheduled = await vote_factories.vote(council, town, VoteStatus.SCHEDULED)
    assert (await client.get(f"/votes/{scheduled.id}/ballot")).status_code == 409
    assert await Ballot.all().count() == 0


async def test_ineligible_people_are_told_why(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town, eligibility_level="resident_verified")
    await browse_as(client, settings, await factories.person())
    page = await client.get(f"/votes/{vote.id}?lang=en")
    assert "cannot take part" in page.text and "Verified residents" in page.text
    token = await csrf(client, f"/votes/{vote.id}")
    option = str((await vote_factories.option_ids(vote.id))[0])
    refused = await client.post(
        f"/votes/{vote.id}/ballot", data={"csrf_token": token, "choice": option}
    )
    assert refused.status_code == 403


# -- receipts and result ------------------------------------------------------------------------


async def test_checking_a_receipt_without_javascript(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    option = (await vote_factories.option_ids(vote.id))[0]
    cast = await commands.cast_ballot(await factories.person(), vote.id, [option])
    early = await client.get(f"/votes/{vote.id}/receipts?lang=en")
    assert (
        "published when the vote closes" in early.text
        and "<form" not in early.text.split("<main")[1]
    )
    await commands.close_vote(council, vote.id, "Schluss.")
    token = await csrf(client, f"/votes/{vote.id}/receipts")
    found = await client.post(
        f"/votes/{vote.id}/receipts?lang=en",
        data={"csrf_token": token, "receipt": cast.receipt.lower().replace("-", " ")},
    )
    assert found.status_code == 200 and "This ballot was counted." in found.text
    assert secrecy.receipt_digest(cast.receipt) in found.text
    missing = await client.post(
        f"/votes/{vote.id}/receipts?lang=en",
        data={"csrf_token": token, "receipt": secrecy.new_receipt()},
    )
    assert "No counted ballot has this receipt" in missing.text
    bad = await client.post(
        f"/votes/{vote.id}/receipts?lang=en", data={"csrf_token": token, "receipt": "hallo"}
    )
    assert bad.status_code == 422 and 'id="receipt-error"' in bad.text
    listing = await client.get(f"/votes/{vote.id}/receipts.txt")
    assert listing.text == secrecy.receipt_digest(cast.receipt) + "\n"


async def test_the_result_page_explains_the_count_with_charts_and_downloads(
    client: httpx.AsyncClient, town: Municipality, council: Actor
) -> None:
    vote = await _budget_vote(council, town)
    ids = await vote_factories.option_ids(vote.id)
    for choices in ([ids[1]], [ids[1], ids[2]], [ids[0]], [ids[2]]):
        await commands.cast_ballot(await factories.person(), vote.id, choices)
    assert (await client.get(f"/votes/{vote.id}/result")).status_code == 409
    await commands.close_vote(council, vote.id, "Schluss.")
    await commands.publish_vote(council, vote.id)
    page = await client.get(f"/votes/{vote.id}/result?lang=en")
    assert page.status_code == 200
    text = page.text
    assert "projects are funded" in text and "Radweg Nord" in text
    assert '<svg role="img" aria-labelledby="votes-chart-title votes-chart-desc"' in text
    assert '<title id="votes-chart-title">' in text
    assert "Project by project" in text and "funded" in text and "does not fit" in text
    assert f'href="/api/v1/votes/{vote.id}/ballots.pb"' in text
    assert f'href="/api/v1/votes/{vote.id}/result"' in text
    assert "Ties:" in text
    # The outcome comes first, in words; the machinery is behind "Check it yourself".
    outcome = text.split('id="outcome-heading"')[1].split("</section>")[0]
    assert "2 projects are funded, for €70,000.00 of the budget of €100,000.00:" in outcome
    assert text.index("projects are funded") < text.index("Project by project")
    check = text.split('<details class="panel check-yourself"')[1].split("</details>")[0]
    assert '<summary><span class="summary-title">Check it yourself</span></summary>' in check
    assert f'href="/api/v1/votes/{vote.id}/result"' in check
    assert f'href="/votes/{vote.id}/receipts.txt"' in check
    assert f"auftrag tally vote-{vote.id}.pb" in check and "Ties:" in check


@pytest.mark.parametrize("rule", [Rule.IRV, Rule.SCHULZE, Rule.MES, Rule.APPROVAL, Rule.CUMULATIVE])
async def test_every_rule_has_its_result_page(
    client: httpx.AsyncClient, town: Municipality, council: Actor, rule: Rule
) -> None:
    vote = await vote_factories.vote(council, town, rule=rule)
    ids = await vote_factories.option_ids(vote.id)
    ballots: list[object] = (
        [{str(ids[0]): 2, str(ids[1]): 1}, {str(ids[1]): 3}]
        if rule == Rule.CUMULATIVE
        else [[ids[0], ids[1]], [ids[1]], [ids[2], ids[0]]]
    )
    for choices in ballots:
        await commands.cast_ballot(await factories.person(), vote.id, choices)
    await commands.close_vote(council, vote.id, "Schluss.")
    await commands.publish_vote(council, vote.id)
    page = await client.get(f"/votes/{vote.id}/result?lang=en")
    assert page.status_code == 200, page.text
    expected = {
        Rule.IRV: "Round by round",
        Rule.SCHULZE: "Head to head",
        Rule.MES: "The voters' shares",
        Rule.APPROVAL: "Share of ballots",
        Rule.CUMULATIVE: "Ballots giving points",
    }[rule]
    assert expected in page.text.replace("&#39;", "'")
    assert 'role="img"' in page.text
    lead = {
        Rule.IRV: "is elected, with 2 of the 3 votes still counting in round",
        Rule.SCHULZE: "comes first: it beats 3 of the 3 other options head to head.",
        Rule.MES: "funded, for",
        Rule.APPROVAL: "Schulen zuerst and Radwege zuerst are tied with 2 each; the tie rule puts",
        Rule.CUMULATIVE: "Radwege zuerst wins with 4 points, 2 more than Schulen zuerst.",
    }[rule]
    winner = page.text.split('class="winner">')[1].split("</p>")[0]
    assert lead in winner.replace("&#39;", "'")


# -- the council --------------------------------------------------------------------------------


async def test_the_council_prepares_schedules_and_runs_a_vote_through_forms(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    await browse_as(client, settings, council)
    assert 'href="/m/musterdorf/votes/new"' in (await client.get("/m/musterdorf/votes")).text
    token = await csrf(client, "/m/musterdorf/votes/new")
    now = clock.now()
    form = {
        "csrf_token": token,
        "title": "Bürgerhaushalt",
        "description": "Worum es geht.",
        "rule": "greedy",
        "budget": "1.500,50",
        "limit_ballot_cost": "1",
        "eligibility_level": "email_verified",
        "opens_at": local_input(now + timedelta(days=1)),
        "closes_at": local_input(now + timedelta(days=8)),
        "min_turnout": "0",
        "option_title_0": "Bänke",
        "option_cost_0": "500",
        "option_title_1": "Bäume",
        "option_cost_1": "zu viel",
        "option_title_3": "Brunnen",
        "option_cost_3": "700,25",
    }
    refused = await client.post("/m/musterdorf/votes/new?lang=en", data=form)
    assert refused.status_code == 422
    assert 'id="option_cost_1-error"' in refused.text and 'value="zu viel"' in refused.text
    assert await Vote.all().count() == 0
    form["option_cost_1"] = "800"
    created = await client.post("/m/musterdorf/votes/new", data=form)
    assert created.status_code == 303, created.text
    vote = await Vote.get()
    assert vote.budget_cents == 1_500_50
    assert vote.opens_at is not None and abs(vote.opens_at - (now + timedelta(days=1))) < timedelta(
        minutes=1
    )
    assert [
        o.cost_cents for o in await vote.options.all().order_by("position")
    ] == [500_00, 800_00, 700_25]  # fmt: skip
    edit = await client.get(f"/votes/{vote.id}/edit")
    assert 'value="1500.50"' in edit.text and 'value="Brunnen"' in edit.text
    form["title"] = "Bürgerhaushalt 2026"
    form["option_title_3"] = ""
    form["option_cost_3"] = ""
    saved = await client.post(f"/votes/{vote.id}/edit", data=form)
    assert saved.status_code == 303
    vote = await Vote.get(id=vote.id)
    assert vote.title == "Bürgerhaushalt 2026" and await vote.options.all().count() == 2
    url = f"/votes/{vote.id}"
    for to, reason in (("scheduled", ""), ("open", ""), ("closed", "Fehler gefunden.")):
        moved = await client.post(
            f"{url}/transition",
            data={"csrf_token": await csrf(client, url), "to": to, "reason": reason},
        )
        assert moved.status_code == 303, moved.text
    assert (await Vote.get(id=vote.id)).status == VoteStatus.CLOSED
    published = await client.post(
        f"{url}/transition", data={"csrf_token": await csrf(client, url), "to": "published"}
    )
    assert published.status_code == 303
    assert (await Vote.get(id=vote.id)).status == VoteStatus.PUBLISHED


async def test_citizens_cannot_prepare_votes(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    await browse_as(client, settings, await factories.person())
    assert (await client.get("/m/musterdorf/votes/new")).status_code == 403
    vote = await vote_factories.vote(council, town, VoteStatus.DRAFT)
    assert (await client.get(f"/votes/{vote.id}/edit")).status_code == 404


async def test_the_initiator_proposes_a_vote_through_the_form(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    await browse_as(client, settings, initiator)
    path = f"/mandates/{mandate.id}/votes/new"
    created = await client.post(
        path,
        data={
            "csrf_token": await csrf(client, path),
            "title": "Was zuerst?",
            "rule": "approval",
            "option_title_0": "Erst A",
            "option_title_1": "Erst B",
        },
    )
    assert created.status_code == 303, created.text
    vote = await Vote.get()
    assert vote.mandate_id == mandate.id and vote.created_by_id == initiator.user_id
    page = await client.get(f"/votes/{vote.id}?lang=en")
    assert "Edit the draft" in page.text and 'value="scheduled"' not in page.text


async def test_replacing_options_keeps_the_draft_whole_when_a_field_is_bad(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(
        council, town, VoteStatus.DRAFT, options=[OptionDraft("A"), OptionDraft("B")]
    )
    await browse_as(client, settings, council)
    path = f"/votes/{vote.id}/edit"
    refused = await client.post(
        path,
        data={
            "csrf_token": await csrf(client, path),
            "title": "",
            "rule": "approval",
            "option_title_0": "Nur eine",
        },
    )
    assert refused.status_code == 422
    assert [o.title for o in await vote.options.all().order_by("position")] == ["A", "B"]
