"""The vote lifecycle through its commands: every move, who may make it, and what it records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation import clock
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.timeline.models import TimelineEntry
from participation.votes import commands, lifecycle
from participation.votes.drafts import OptionDraft
from participation.votes.lifecycle import Mover
from participation.votes.models import Rule, Vote, VoteOption, VoteStatus
from tests import factories
from tests.factories import votes as vote_factories

pytestmark = pytest.mark.usefixtures("database")

S = VoteStatus


@pytest.fixture
async def citizen() -> Actor:
    return await factories.person()


async def _events(name: str) -> list[OutboxEvent]:
    return await OutboxEvent.filter(name=name)


# -- creating and editing ------------------------------------------------------------------


async def test_council_creates_a_draft_with_options_and_rendered_description(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, S.DRAFT, Rule.GREEDY)
    assert vote.status == S.DRAFT
    assert vote.created_by_id == council.user_id
    assert vote.eligibility_level == town.vote_level
    assert "<strong>zuerst</strong>" in vote.description_html
    options = await VoteOption.filter(vote_id=vote.id).order_by("position")
    assert [o.title for o in options][:2] == ["Spielplatz Mitte", "Radweg Nord"]
    assert [o.position for o in options] == [1, 2, 3, 4]
    assert len(await _events("votes:vote:created")) == 1


async def test_markdown_description_cannot_smuggle_html(town: Municipality, council: Actor) -> None:
    draft = vote_factories.draft(description="<script>alert(1)</script> [x](javascript:alert(1))")
    vote = await commands.create_vote(council, draft, municipality_slug=town.slug)
    assert "<script>" not in vote.description_html
    assert 'href="javascript:' not in vote.description_html


async def test_a_citizen_cannot_create_a_municipality_vote(
    town: Municipality, citizen: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        await commands.create_vote(citizen, vote_factories.draft(), municipality_slug=town.slug)
    assert await Vote.all().count() == 0


async def test_bad_fields_are_named_and_nothing_is_stored(
    town: Municipality, council: Actor
) -> None:
    draft = vote_factories.draft(
        Rule.GREEDY_THRESHOLD,
        title=" ",
        budget_cents=None,
        min_votes=0,
        district="nowhere",
        eligibility_level="psychic",
    )
    with pytest.raises(InvalidInput) as caught:
        await commands.create_vote(
            council, draft, [OptionDraft("", cost_cents=-1)], municipality_slug=town.slug
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "title",
        "budget_cents",
        "min_votes",
        "district",
        "eligibility_level",
        "options.0.title",
        "options.0.cost_cents",
    }
    assert await Vote.all().count() == 0


async def test_parameters_another_rule_uses_are_dropped(town: Municipality, council: Actor) -> None:
    draft = vote_factories.draft(Rule.IRV, max_choices=3, budget_cents=500, points_total=9)
    vote = await commands.create_vote(council, draft, municipality_slug=town.slug)
    assert (vote.max_choices, vote.budget_cents, vote.points_total) == (None, None, None)


async def test_the_proposer_edits_a_draft_but_not_once_scheduled(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, S.DRAFT)
    changed = await commands.update_vote(council, vote.id, {"title": "Neuer Titel"})
    assert changed.title == "Neuer Titel"
    assert changed.max_choices == vote.max_choices
    options = await commands.replace_options(
        council, vote.id, [OptionDraft("A"), OptionDraft("B"), OptionDraft("C")]
    )
    assert [o.title for o in options] == ["A", "B", "C"]
    await commands.schedule_vote(council, vote.id)
    with pytest.raises(Conflict):
        await commands.update_vote(council, vote.id, {"title": "Zu spät"})
    with pytest.raises(Conflict):
        await commands.replace_options(council, vote.id, [OptionDraft("X"), OptionDraft("Y")])


async def test_others_do_not_see_or_edit_a_draft(
    town: Municipality, council: Actor, citizen: Actor
) -> None:
    vote = await vote_factories.vote(council, town, S.DRAFT)
    with pytest.raises(NotFound):
        await commands.get_visible(citizen, vote.id)
    with pytest.raises(NotFound):
        await commands.update_vote(citizen, vote.id, {"title": "Meins"})
    with pytest.raises(NotFound):
        await commands.get_visible(None, vote.id)


# -- the initiator of a mandate -----------------------------------------------------------


async def test_the_initiator_proposes_a_vote_that_only_the_council_can_schedule(
    town: Municipality, council: Actor
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    vote = await vote_factories.vote(initiator, town, S.DRAFT, mandate_id=mandate.id)
    assert vote.mandate_id == mandate.id
    assert await commands.get_visible(initiator, vote.id)
    assert await commands.get_visible(council, vote.id)
    with pytest.raises(PermissionDenied):
        await commands.schedule_vote(initiator, vote.id)
    scheduled = await commands.schedule_vote(council, vote.id)
    assert scheduled.status == S.SCHEDULED
    with pytest.raises(PermissionDenied):
        await commands.open_vote(initiator, vote.id)
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="vote")
    assert [e.data["to"] for e in entries] == ["scheduled"]
    assert entries[0].data["vote_id"] == vote.id


async def test_the_initiator_may_withdraw_her_own_draft(town: Municipality, council: Actor) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    vote = await vote_factories.vote(initiator, town, S.DRAFT, mandate_id=mandate.id)
    cancelled = await commands.cancel_vote(initiator, vote.id, "Doch nicht.")
    assert cancelled.status == S.CANCELLED
    assert cancelled.cancel_reason == "Doch nicht."
    # A draft never was public: its end stays off the mandate's timeline.
    assert not await TimelineEntry.filter(mandate_id=mandate.id, kind="vote").exists()
    assert len(await _events("votes:vote:cancelled")) == 1


async def test_someone_else_cannot_propose_a_vote_on_a_mandate(town: Municipality) -> None:
    initiator, stranger = await factories.person(), await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    with pytest.raises(PermissionDenied):
        await vote_factories.vote(stranger, town, S.DRAFT, mandate_id=mandate.id)


async def test_no_vote_on_a_draft_or_ended_mandate(town: Municipality, council: Actor) -> None:
    initiator = await factories.person()
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    with pytest.raises(NotFound):
        await vote_factories.vote(council, town, S.DRAFT, mandate_id=draft.id)
    withdrawn = await factories.mandate(initiator, town, Status.WITHDRAWN)
    with pytest.raises(Conflict):
        await vote_factories.vote(council, town, S.DRAFT, mandate_id=withdrawn.id)


# -- every move ----------------------------------------------------------------------------


def _pairs() -> list[tuple[VoteStatus, VoteStatus]]:
    return [(a, b) for a in VoteStatus for b in VoteStatus if a != b]


@pytest.mark.parametrize(("source", "target"), _pairs(), ids=lambda s: s.value)
async def test_every_move_the_council_asks_for(
    town: Municipality, council: Actor, source: VoteStatus, target: VoteStatus
) -> None:
    vote = await vote_factories.vote(council, town, source)
    allowed = lifecycle.find(source, target, {Mover.COUNCIL}) is not None
    if not allowed:
        with pytest.raises(Conflict) as caught:
            await commands.transition_vote(council, vote.id, target, "Ein Grund.")
        assert caught.value.extra["status_now"] == source.value
        assert target.value not in caught.value.extra["allowed_transitions"]
        assert (await Vote.get(id=vote.id)).status == source
        return
    moved = await commands.transition_vote(council, vote.id, target, "Ein Grund.")
    assert moved.status == target


@pytest.mark.parametrize(
    ("source", "target"),
    [(S.SCHEDULED, S.CANCELLED), (S.OPEN, S.CLOSED), (S.OPEN, S.CANCELLED), (S.DRAFT, S.CANCELLED)],
)
async def test_ending_early_needs_a_reason(
    town: Municipality, council: Actor, source: VoteStatus, target: VoteStatus
) -> None:
    vote = await vote_factories.vote(council, town, source)
    with pytest.raises(InvalidInput) as caught:
        await commands.transition_vote(council, vote.id, target, "  ")
    assert caught.value.errors[0].field == "reason"


async def test_a_citizen_makes_no_move(town: Municipality, council: Actor, citizen: Actor) -> None:
    vote = await vote_factories.vote(council, town, S.OPEN)
    with pytest.raises(PermissionDenied):
        await commands.close_vote(citizen, vote.id, "Genug.")
    with pytest.raises(PermissionDenied):
        await commands.cancel_vote(citizen, vote.id, "Genug.")
    with pytest.raises(InvalidInput):
        await commands.transition_vote(council, vote.id, "finished")


async def test_scheduling_needs_a_ready_vote(town: Municipality, council: Actor) -> None:
    now = clock.now()
    vote = await vote_factories.vote(
        council,
        town,
        S.DRAFT,
        Rule.GREEDY,
        options=[OptionDraft("Zu teuer", cost_cents=200_000_00)],
        opens_at=now - timedelta(hours=1),
    )
    with pytest.raises(InvalidInput) as caught:
        await commands.schedule_vote(council, vote.id)
    assert {e.field for e in caught.value.errors} == {"options", "opens_at"}
    await commands.update_vote(council, vote.id, {"opens_at": None, "closes_at": None})
    with pytest.raises(InvalidInput) as caught:
        await commands.schedule_vote(council, vote.id)
    assert {"opens_at", "closes_at"} <= {e.field for e in caught.value.errors}
    assert (await Vote.get(id=vote.id)).status == S.DRAFT


async def test_ordinal_ballots_cannot_rank_more_options_than_there_are(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, S.DRAFT, Rule.ORDINAL_GREEDY, max_choices=5)
    with pytest.raises(InvalidInput) as caught:
        await commands.schedule_vote(council, vote.id)
    assert [e.field for e in caught.value.errors] == ["max_choices"]


async def test_opening_gives_a_ballot_key_and_publishing_erases_it(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, S.SCHEDULED)
    assert vote.ballot_key is None
    opened = await commands.open_vote(council, vote.id)
    assert opened.ballot_key and len(opened.ballot_key) == 64
    assert opened.opens_at is not None and opened.opens_at <= clock.now()
    closed = await commands.close_vote(council, vote.id, "Früher Schluss.")
    assert closed.turnout == 0
    assert closed.closes_at is not None and closed.closes_at <= clock.now()
    published = await commands.publish_vote(council, vote.id)
    assert published.ballot_key is None
    assert published.result is not None and published.result["quorum_met"] is False


async def test_every_move_is_an_event_and_public_ones_a_timeline_entry(
    town: Municipality, council: Actor
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    vote = await vote_factories.vote(council, town, S.PUBLISHED, mandate_id=mandate.id)
    names = await OutboxEvent.filter(name__startswith="votes:vote:").values_list("name", flat=True)
    assert names == [
        "votes:vote:created",
        "votes:vote:scheduled",
        "votes:vote:opened",
        "votes:vote:closed",
        "votes:vote:published",
    ]
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="vote").order_by("id")
    assert [e.data["to"] for e in entries] == ["scheduled", "open", "closed", "published"]
    assert entries[2].data["reason"] == "Für den Test."
    assert all(e.data["vote_id"] == vote.id for e in entries)
