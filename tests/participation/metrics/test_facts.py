"""Each measure against a case computed by hand, through the commands people use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.visits import commands as visit_commands
from notifications.visits.models import ServiceVisit
from participation.actors import Actor
from participation.answers.commands import assign_mandate
from participation.council.promise import watch_promises
from participation.deliberation.commands import delete_comment
from participation.mandates import commands as mandate_commands
from participation.mandates.models import Mandate, Status
from participation.mandates.rating import rate_outcome
from participation.moderation import commands as moderation
from participation.moderation.models import Flag, ModerationEntry
from participation.municipalities.calendar import WorkingCalendar
from participation.municipalities.models import Municipality
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import answers, metrics, ratings, time_travel, visits
from tests.factories import deliberation as talk
from tests.factories import moderation as moderation_factories
from tests.factories.accounts import signed_in

pytestmark = pytest.mark.usefixtures("database")

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc, arg-type]


async def _submitted(town: Municipality, moment: datetime) -> tuple[Mandate, Actor]:
    council = await factories.council_member(town)
    initiator = await factories.person(lives_in=town)
    with time_travel(moment):
        mandate = await factories.mandate(initiator, town, Status.SUBMITTED, council=council)
    return mandate, council


async def _answered(town: Municipality, submitted: datetime, answered: datetime) -> Mandate:
    mandate, council = await _submitted(town, submitted)
    with time_travel(answered):
        await answers.response(council, mandate.id)
    await metrics.project()
    return mandate


def test_working_days_between_skip_the_weekend_and_the_state_holiday() -> None:
    bavaria = WorkingCalendar.of("BY", (), "Europe/Berlin")
    brandenburg = WorkingCalendar.of("BB", (), "Europe/Berlin")
    wednesday, monday = datetime(2026, 6, 3).date(), datetime(2026, 6, 8).date()
    # Thursday 4 June 2026 is Corpus Christi in Bavaria, not in Brandenburg.
    assert bavaria.working_days_between(wednesday, monday) == 2
    assert brandenburg.working_days_between(wednesday, monday) == 3
    assert bavaria.working_days_between(monday, monday) == 0


async def test_first_answer_days_across_a_weekend_and_a_holiday_of_the_state() -> None:
    town = await factories.municipality(service_promise_days=5)
    await Municipality.filter(id=town.id).update(state="BY")
    await _answered(town, at(2026, 6, 3, 10), at(2026, 6, 8, 15))
    assert await metrics.measure("first_answer_days") == {("2026-06", 2): 1}
    assert await metrics.measure("promise_kept") == {("2026-06", 1): 1}


async def test_an_answer_on_the_day_of_submission_took_no_working_day() -> None:
    town = await factories.municipality()
    await _answered(town, at(2026, 11, 10, 9), at(2026, 11, 10, 17))
    assert await metrics.measure("first_answer_days") == {("2026-11", 0): 1}


async def test_the_month_is_the_municipality_s_local_month() -> None:
    town = await factories.municipality()
    # 23:30 UTC on 30 November is half past midnight on 1 December in Berlin.
    answered = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    await _answered(town, at(2026, 11, 30, 9), answered)
    assert await metrics.measure("first_answer_days") == {("2026-12", 1): 1}


async def test_a_missed_promise_counts_in_the_month_it_was_due() -> None:
    town = await factories.municipality(service_promise_days=3)
    mandate, _ = await _submitted(town, at(2026, 11, 27, 16))  # a Friday
    due = (await Mandate.get(id=mandate.id)).answer_due_at
    assert due == at(2026, 12, 2, 23, 59, 59)
    with time_travel(at(2026, 12, 3, 8)):
        await watch_promises()
    await metrics.project()
    assert await metrics.measure("promise_kept") == {("2026-12", 0): 1}
    assert await metrics.measure("first_answer_days") == {}
    assert await metrics.measure("outcome") == {("2026-11", 0): 1}
    assert await metrics.measure("active_delta") == {("2026-11", 0): 1}


async def test_a_late_answer_is_a_missed_promise_in_the_due_month() -> None:
    town = await factories.municipality(service_promise_days=3)
    await _answered(town, at(2026, 11, 27, 16), at(2026, 12, 7, 10))
    assert await metrics.measure("promise_kept") == {("2026-12", 0): 1}
    assert await metrics.measure("first_answer_days") == {("2026-12", 6): 1}


async def test_a_withdrawn_signature_is_taken_out_again() -> None:
    town = await factories.municipality(quorum=10)
    initiator = await factories.person(lives_in=town)
    signer = await factories.person(lives_in=town)
    with time_travel(at(2026, 11, 10, 9)):
        mandate = await factories.mandate(initiator, town)
        await mandate_commands.sign_mandate(signer, mandate.id)
    await metrics.project()
    assert await metrics.measure("signatures") == {("2026-11", 0): 2}
    assert await metrics.participants() == {(town.id, "2026-11"): 2}
    with time_travel(at(2026, 11, 11, 9)):
        await mandate_commands.withdraw_signature(signer, mandate.id)
    await metrics.project()
    assert await metrics.measure("signatures") == {("2026-11", 0): 1}
    assert await metrics.participants() == {(town.id, "2026-11"): 1}
    assert await metrics.measure("launched") == {("2026-11", 0): 1}


async def test_a_reassignment_moves_the_mandate_s_cells_to_the_new_department() -> None:
    town = await factories.municipality()
    first = await answers.department(town, "Tiefbau")
    second = await answers.department(town, "Grünflächen")
    mandate, council = await _submitted(town, at(2026, 11, 10, 9))
    await assign_mandate(council, mandate.id, first.id)
    await metrics.project()
    assert await metrics.measure("outcome", first.id) == {("2026-11", 0): 1}
    await assign_mandate(council, mandate.id, second.id)
    await metrics.project()
    assert await metrics.measure("outcome", first.id) == {}
    assert await metrics.measure("outcome", second.id) == {("2026-11", 0): 1}
    assert await metrics.measure("outcome") == {("2026-11", 0): 1}


async def test_completion_outcome_activity_and_ratings() -> None:
    town = await factories.municipality()
    with time_travel(at(2026, 10, 5, 9)):
        mandate, signers = await ratings.finished_mandate(town)
    with time_travel(at(2026, 10, 6, 9)):
        await rate_outcome(signers[0], mandate.id, 4)
        await rate_outcome(signers[1], mandate.id, 2)
        await rate_outcome(signers[1], mandate.id, 3)
    await metrics.project()
    assert await metrics.measure("completion_days") == {("2026-10", 0): 1}
    assert await metrics.measure("outcome") == {("2026-10", 1): 1}
    assert await metrics.measure("active_delta") == {("2026-10", 0): 1, ("2026-11", 0): -1}
    assert await metrics.measure("rating") == {("2026-10", 4): 1, ("2026-10", 3): 1}


async def test_a_deleted_comment_still_counts_as_posted() -> None:
    town = await factories.municipality()
    author = await factories.person(lives_in=town)
    with time_travel(at(2026, 11, 10, 9)):
        mandate = await factories.mandate(author, town)
    thread = await talk.thread_of(mandate)
    written = await talk.post(author, thread)
    await delete_comment(author, written.id)
    await metrics.project()
    month = datetime.now(BERLIN).strftime("%Y-%m")
    assert (await metrics.measure("comments"))[(month, 0)] == 1


async def test_a_dismissed_flag_s_hours_are_rounded_up() -> None:
    found = await moderation_factories.discussion()
    await moderation_factories.flagged(found.comment, 1)
    await moderation.dismiss_flags(found.moderator, found.comment.id, "Kein Verstoß.")
    flagged_at = at(2026, 11, 10, 9)
    await Flag.filter(comment_id=found.comment.id).update(created_at=flagged_at)
    await ModerationEntry.filter(comment_id=found.comment.id).update(
        created_at=flagged_at + timedelta(minutes=61)
    )
    # The records moved in time: a recomputation picks that up.
    await moderation.hide_comment(found.moderator, found.comment.id, "Doch ein Verstoß.")
    await ModerationEntry.filter(comment_id=found.comment.id, action="hide").update(
        created_at=flagged_at + timedelta(days=1)
    )
    await moderation.restore_comment(found.moderator, found.comment.id, "Wieder da.")
    await ModerationEntry.filter(comment_id=found.comment.id, action="restore").update(
        created_at=flagged_at + timedelta(days=2)
    )
    await metrics.project()
    # One decision on open flags (the later ones had no new flag to decide on).
    assert await metrics.measure("moderation_decision_hours") == {("2026-11", 2): 1}
    assert await metrics.measure("flags") == {("2026-11", 0): 1}
    assert await metrics.measure("hidden") == {("2026-11", 0): 1}


async def test_a_visit_without_completion_counts_but_has_no_duration() -> None:
    town = await factories.municipality()
    await visits.services(town)
    portal = await visits.portal(town)
    with time_travel(at(2026, 11, 10, 9)):
        await visit_commands.record_visit(town.slug, portal.visit(email="a@example.org"))
        await visit_commands.record_visit(
            town.slug,
            portal.visit(
                email="b@example.org",
                requested_at=at(2026, 10, 28, 12).isoformat(),
                completed_at=at(2026, 11, 10, 8).isoformat(),
            ),
        )
    await metrics.project()
    assert await ServiceVisit.all().count() == 2
    code = "residence.registration"
    assert await metrics.measure("visits", service_type=code) == {("2026-11", 0): 2}
    assert await metrics.measure("service_duration_days", service_type=code) == {("2026-11", 13): 1}
    assert await metrics.measure("visits") == {}


async def test_an_invitation_its_score_and_whether_she_took_part() -> None:
    town = await factories.municipality()
    invitation = await visits.invitation(town)
    await visit_commands.give_satisfaction(invitation.token, 4)
    await metrics.project()
    code = "residence.registration"
    month = datetime.now(BERLIN).strftime("%Y-%m")
    assert await metrics.measure("service_rating", service_type=code) == {(month, 4): 1}
    assert await metrics.measure("invitation_took_part", service_type=code) == {(month, 0): 1}
    mandate = await Mandate.get(id=invitation.target_id)
    assert invitation.user_id is not None
    invitee = await signed_in(invitation.user_id)
    await mandate_commands.sign_mandate(invitee, mandate.id)
    await metrics.project()
    assert await metrics.measure("invitation_took_part", service_type=code) == {(month, 1): 1}


async def test_a_mandate_is_traced_in_each_month_of_an_update_while_it_is_active() -> None:
    town = await factories.municipality()
    mandate, council = await _submitted(town, at(2026, 10, 20, 9))
    for _ in range(3):
        await answers.response(council, mandate.id, "update", "Es geht voran.")
    # Timeline entries are stamped by the database; set them as the demo's history does.
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="response").order_by("id")
    for entry, moment in zip(
        entries, (at(2026, 10, 21, 9), at(2026, 10, 28, 9), at(2026, 12, 1, 9)), strict=True
    ):
        await TimelineEntry.filter(id=entry.id).update(created_at=moment)
    await Mandate.filter(id=mandate.id).update(
        first_answer_at=at(2026, 10, 21, 9),
        status=Status.COMPLETED,
        closed_at=at(2026, 11, 30, 9),
    )
    # A recomputation (here: the next event of the mandate) picks the moved records up.
    await answers.response(council, mandate.id, "update", "Abgeschlossen.")
    await metrics.project()
    # December's two entries came after it closed: no longer active, not counted.
    assert await metrics.measure("traced") == {("2026-10", 0): 1}
    assert await metrics.measure("active_delta") == {("2026-10", 0): 1, ("2026-12", 0): -1}
