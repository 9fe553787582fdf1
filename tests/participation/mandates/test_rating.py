"""Outcome feedback: who may rate, when, what is refused, and what the public sees."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from participation import clock
from participation.accounts import privacy as account_privacy
from participation.accounts.models import User
from participation.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from participation.mandates import queries, rating, rating_views
from participation.mandates.models import Mandate, Rating, Status
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.privacy import export
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import time_travel
from tests.factories.ratings import finished_mandate

pytestmark = pytest.mark.usefixtures("database")


async def _events(mandate_id: int) -> list[str]:
    names = (
        await OutboxEvent.filter(
            subject_type="mandate", subject_id=mandate_id, name__startswith="mandates:rating:"
        )
        .order_by("id")
        .values_list("name", flat=True)
    )
    return list(names)  # type: ignore[arg-type]


async def test_a_co_signer_rates_a_completed_mandate_once_and_edits_within_30_days() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (initiator, signer, *_) = await finished_mandate(town)

    first = await rating.rate_outcome(signer, mandate.id, 4, "Gut **gemacht**.")
    assert first.created
    assert first.rating.comment_html == "<p>Gut <strong>gemacht</strong>.</p>\n"

    with time_travel(clock.now() + timedelta(days=29)):
        edit = await rating.rate_outcome(signer, mandate.id, 2, "Doch nicht.", show_name=True)
    assert not edit.created and edit.rating.id == first.rating.id
    row = await Rating.get(id=first.rating.id)
    assert (row.score, row.comment, row.show_name) == (2, "Doch nicht.", True)
    assert await Rating.filter(mandate_id=mandate.id).count() == 1
    assert await _events(mandate.id) == ["mandates:rating:created", "mandates:rating:changed"]


async def test_an_edit_after_30_days_is_refused_and_changes_nothing() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (_, signer, *_) = await finished_mandate(town)
    given = (await rating.rate_outcome(signer, mandate.id, 5, "Super.")).rating

    with (
        time_travel(given.created_at + timedelta(days=30, seconds=1)),
        pytest.raises(Conflict) as refused,
    ):
        await rating.rate_outcome(signer, mandate.id, 1, "Schlecht.")
    assert (
        refused.value.extra["editable_until"] == (given.created_at + timedelta(days=30)).isoformat()
    )
    row = await Rating.get(id=given.id)
    assert (row.score, row.comment) == (5, "Super.")
    assert await _events(mandate.id) == ["mandates:rating:created"]


async def test_a_rejected_mandate_can_be_rated_too() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (initiator, *_) = await finished_mandate(town, Status.REJECTED)
    assert (await rating.rate_outcome(initiator, mandate.id, 1)).created


@pytest.mark.parametrize(
    "status", [Status.COLLECTING, Status.SUBMITTED, Status.IN_REVIEW, Status.IN_PROGRESS]
)
async def test_before_completion_rating_is_a_conflict(status: Status) -> None:
    town = await factories.municipality(quorum=3)
    mandate, (initiator, *_) = await finished_mandate(town, status)
    with pytest.raises(Conflict) as refused:
        await rating.rate_outcome(initiator, mandate.id, 4)
    assert refused.value.extra["status_now"] == status
    assert await Rating.all().count() == 0


async def test_only_co_signers_may_rate() -> None:
    town = await factories.municipality(quorum=3)
    mandate, _ = await finished_mandate(town)
    outsiders = [
        await factories.person(lives_in=town),
        await factories.council_member(town),
        await factories.person(role=Role.ADMIN, municipality=town),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied) as refused:
            await rating.rate_outcome(outsider, mandate.id, 5)
        assert "co-signed" in refused.value.detail
    with pytest.raises(NotAuthenticated):
        await rating.rate_outcome(None, mandate.id, 5)
    assert await Rating.all().count() == 0
    assert await _events(mandate.id) == []


@pytest.mark.parametrize("score", [0, 6, 2.5, "3", True, None, -1])
async def test_bad_scores_are_refused_naming_score(score: object) -> None:
    town = await factories.municipality(quorum=3)
    mandate, (_, signer, *_) = await finished_mandate(town)
    with pytest.raises(InvalidInput) as refused:
        await rating.rate_outcome(signer, mandate.id, score)
    assert [e.field for e in refused.value.errors] == ["score"]
    assert await Rating.all().count() == 0


async def test_every_bad_field_is_named_at_once_and_nothing_is_stored() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (_, signer, *_) = await finished_mandate(town)
    with pytest.raises(InvalidInput) as refused:
        await rating.rate_outcome(signer, mandate.id, 9, "x" * 2001, show_name="yes")
    assert sorted(e.field for e in refused.value.errors) == ["comment", "score", "show_name"]
    assert await Rating.all().count() == 0
    # A comment of exactly the maximum is fine.
    assert (await rating.rate_outcome(signer, mandate.id, 3, "x" * 2000)).created


async def test_a_refused_edit_keeps_the_first_rating() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (_, signer, *_) = await finished_mandate(town)
    await rating.rate_outcome(signer, mandate.id, 4, "Gut.")
    with pytest.raises(InvalidInput):
        await rating.rate_outcome(signer, mandate.id, 0, "Anders.")
    row = await Rating.get(mandate_id=mandate.id)
    assert (row.score, row.comment) == (4, "Gut.")


async def test_the_summary_counts_averages_and_distributes() -> None:
    town = await factories.municipality(quorum=5)
    mandate, signers = await finished_mandate(town)
    for signer, score in zip(signers, [5, 4, 4, 4], strict=False):
        await rating.rate_outcome(signer, mandate.id, score)
    view = await queries.mandate_view(None, await Mandate.get(id=mandate.id))
    # 17 / 4 = 4.25, shown to one decimal, half up.
    assert view["rating"] == {
        "average": 4.3,
        "count": 4,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 3, "5": 1},
    }
    unrated, _ = await finished_mandate(town)
    assert (await queries.mandate_view(None, unrated))["rating"] == {
        "average": None,
        "count": 0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }


async def test_summaries_of_a_page_of_mandates_take_one_query() -> None:
    town = await factories.municipality(quorum=3)
    first, first_signers = await finished_mandate(town)
    second, second_signers = await finished_mandate(town, Status.REJECTED)
    await rating.rate_outcome(first_signers[0], first.id, 2)
    await rating.rate_outcome(first_signers[1], first.id, 3)
    await rating.rate_outcome(second_signers[0], second.id, 1)
    got = await rating.summaries([first.id, second.id])
    assert (got[first.id]["average"], got[first.id]["count"]) == (2.5, 2)
    assert (got[second.id]["average"], got[second.id]["distribution"]["1"]) == (1.0, 1)


async def test_names_are_shown_only_where_chosen() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (initiator, signer, third) = await finished_mandate(town)
    await rating.rate_outcome(initiator, mandate.id, 5, "Danke!", show_name=True)
    await rating.rate_outcome(signer, mandate.id, 2, "Zu spät.")
    await rating.rate_outcome(third, mandate.id, 3)  # no comment: counted, not listed
    items, following = await rating_views.comments(mandate.id)
    assert following is None
    assert [(i["comment"], i["author"]) for i in items] == [
        ("Zu spät.", None),
        ("Danke!", {"display_name": "Initiatorin"}),
    ]


async def test_comments_come_in_pages_newest_first() -> None:
    town = await factories.municipality(quorum=5)
    mandate, signers = await finished_mandate(town)
    for n, signer in enumerate(signers):
        await rating.rate_outcome(signer, mandate.id, 3, f"Kommentar {n}")
    page, following = await rating_views.comments(mandate.id, limit=3)
    assert [i["comment"] for i in page] == ["Kommentar 4", "Kommentar 3", "Kommentar 2"]
    rest, end = await rating_views.comments(mandate.id, limit=3, cursor=following)
    assert [i["comment"] for i in rest] == ["Kommentar 1", "Kommentar 0"]
    assert end is None


async def test_the_timeline_gets_the_first_summary_then_at_most_one_a_day() -> None:
    town = await factories.municipality(quorum=4)
    mandate, signers = await finished_mandate(town)
    await rating.rate_outcome(signers[0], mandate.id, 5)
    await rating.rate_outcome(signers[1], mandate.id, 3)
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="ratings")
    assert [(e.data["count"], e.data["average"], e.actor_id) for e in entries] == [(1, 5.0, None)]

    # The clock job within the day writes nothing; after it, the summary that waited.
    assert await rating.summarise_ratings() == 0
    later = clock.now() + timedelta(days=1, minutes=1)
    with time_travel(later):
        assert await rating.summarise_ratings() == 1
        assert await rating.summarise_ratings() == 0
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="ratings").order_by("id")
    assert [(e.data["count"], e.data["average"]) for e in entries] == [(1, 5.0), (2, 4.0)]
    assert entries[-1].data["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}

    # A day later still, a new rating goes on the timeline at once.
    with time_travel(later + timedelta(days=1, minutes=1)):
        await rating.rate_outcome(signers[2], mandate.id, 1)
    assert await TimelineEntry.filter(mandate_id=mandate.id, kind="ratings").count() == 3
    summarised = await OutboxEvent.filter(name="mandates:ratings:summarised").count()
    assert summarised == 3


async def test_an_edit_that_changes_no_score_writes_no_summary() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (_, signer, *_) = await finished_mandate(town)
    await rating.rate_outcome(signer, mandate.id, 4, "Gut.")
    with time_travel(clock.now() + timedelta(days=2)):
        await rating.rate_outcome(signer, mandate.id, 4, "Sehr gut.")
        assert await rating.summarise_ratings() == 0
    assert await TimelineEntry.filter(mandate_id=mandate.id, kind="ratings").count() == 1


async def test_her_export_has_her_ratings_and_deletion_keeps_the_score_anonymously() -> None:
    town = await factories.municipality(quorum=3)
    mandate, (_, signer, other) = await finished_mandate(town)
    await rating.rate_outcome(signer, mandate.id, 2, "Enttäuschend.", show_name=True)
    await rating.rate_outcome(other, mandate.id, 4, "Ok.")

    document = await export(signer.user_id, clock.now())
    assert [
        (r["mandate_id"], r["score"], r["comment"], r["show_name"]) for r in document["ratings"]
    ] == [(mandate.id, 2, "Enttäuschend.", True)]

    user = await User.get(id=signer.user_id)
    await account_privacy.delete_account(signer, user.email)

    row = await Rating.get(mandate_id=mandate.id, score=2)
    assert (row.user_id, row.comment, row.comment_html, row.show_name) == (None, "", "", False)
    summary = (await rating.summaries([mandate.id]))[mandate.id]
    assert (summary["count"], summary["average"]) == (2, 3.0)
    items, _ = await rating_views.comments(mandate.id)
    assert [i["comment"] for i in items] == ["Ok."]


@pytest.mark.postgres
async def test_at_the_same_instant_one_person_rates_once_and_the_timeline_sums_up_once() -> None:
    town = await factories.municipality(quorum=20)
    mandate, signers = await finished_mandate(town)
    twice = await asyncio.gather(
        rating.rate_outcome(signers[0], mandate.id, 4),
        rating.rate_outcome(signers[0], mandate.id, 2),
    )
    assert sorted(o.created for o in twice) == [False, True]
    assert await Rating.filter(mandate_id=mandate.id).count() == 1

    await asyncio.gather(*(rating.rate_outcome(s, mandate.id, 5) for s in signers[1:]))
    assert (await rating.summaries([mandate.id]))[mandate.id]["count"] == 20
    assert await TimelineEntry.filter(mandate_id=mandate.id, kind="ratings").count() == 1
