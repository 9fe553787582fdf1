"""What the invited person does with her invitation, what is matched, and her data."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from notifications.visits import commands, matching
from notifications.visits.models import Invitation, ServiceVisit
from notifications.visits.privacy import visits_of
from participation.accounts.privacy import delete_account
from participation.deliberation.models import Thread
from participation.errors import Conflict, InvalidInput
from participation.mandates.models import Status
from participation.municipalities.models import District, Municipality
from participation.outbox.models import OutboxEvent
from tests import factories
from tests.factories import visits
from tests.factories.accounts import signed_in
from tests.factories.deliberation import thread_of


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


async def test_the_score_is_recorded_once_with_one_event(town: Municipality) -> None:
    invitation = await visits.invitation(town)
    first = await commands.give_satisfaction(invitation.token, 2)
    second = await commands.give_satisfaction(invitation.token, 5)
    assert first.recorded and not second.recorded
    assert second.invitation.score == 2
    assert await OutboxEvent.filter(name="visits:satisfaction:given").count() == 1
    with pytest.raises(InvalidInput):
        await commands.give_satisfaction(invitation.token, 6)


async def test_a_comment_needs_a_score_first(town: Municipality) -> None:
    invitation = await visits.invitation(town)
    with pytest.raises(Conflict):
        await commands.comment_on_service(invitation.token, "Schnell und freundlich.")
    await commands.give_satisfaction(invitation.token, 5)
    done = await commands.comment_on_service(invitation.token, "Schnell und **freundlich**.")
    assert "<strong>freundlich</strong>" in done.invitation.comment_html


async def test_a_discussion_is_found_when_nothing_collects_and_not_once_locked(
    town: Municipality,
) -> None:
    person = await factories.person(lives_in=town, district="mitte")
    mitte = await District.get(municipality_id=town.id, slug="mitte")
    worked_on = await factories.mandate(
        await factories.person(), town, Status.IN_REVIEW, district="mitte"
    )
    await thread_of(worked_on)
    wanted = matching.Wanted(town.id, (), mitte.id)
    found = await matching.best_match(wanted, person.user_id)
    assert found is not None and found.target == "discussion"
    assert found.path == f"/mandates/{worked_on.id}#discussion"
    await Thread.filter(subject_id=worked_on.id).update(locked_at=worked_on.created_at)
    assert await matching.best_match(wanted, person.user_id) is None


async def test_her_own_mandate_is_not_offered_to_her(town: Municipality) -> None:
    initiator = await factories.person(lives_in=town, district="mitte")
    mitte = await District.get(municipality_id=town.id, slug="mitte")
    await factories.mandate(initiator, town, district="mitte")
    wanted = matching.Wanted(town.id, (), mitte.id)
    assert await matching.best_match(wanted, initiator.user_id) is None


async def test_her_export_holds_her_visits_and_erasure_keeps_only_the_figures(
    town: Municipality,
) -> None:
    invitation = await visits.invitation(town)
    await commands.give_satisfaction(invitation.token, 4)
    await commands.comment_on_service(invitation.token, "Zu lange gewartet.")
    assert invitation.user_id is not None
    [exported] = await visits_of(invitation.user_id)
    assert exported["service_type"] == "residence.registration"
    assert exported["invitation"]["score"] == 4
    assert exported["invitation"]["comment"] == "Zu lange gewartet."

    her = await signed_in(invitation.user_id)
    await delete_account(her, "eingeladen@example.org")
    kept = await Invitation.get(id=invitation.id)
    assert (kept.user_id, kept.score, kept.comment) == (None, 4, "")
    assert (await ServiceVisit.get(id=kept.visit_id)).user_id is None
