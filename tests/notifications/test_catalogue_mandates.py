"""A mandate's life tells the people connected to it, each once, with her reason."""

from __future__ import annotations

import pytest

from notifications.models import FollowSubject, Reason
from participation.mandates import commands
from participation.mandates.models import MandateTopic, Signature, Status
from participation.municipalities.models import District
from tests.factories import council_member, mandate, municipality, people
from tests.factories.accounts import signed_in
from tests.factories.notifications import dispatch_outbox, follow, notes, told

pytestmark = pytest.mark.usefixtures("database")


async def test_reaching_the_quorum_tells_signers_initiator_followers_and_the_council() -> None:
    town = await municipality(quorum=3)
    initiator, fan, quitter = await people(3)
    council = await council_member(town)
    submitted = await mandate(initiator, town, Status.SUBMITTED, council=council)
    await follow(fan, town.id, FollowSubject.MANDATE, submitted.id)
    signers = [s.user_id for s in await Signature.filter(mandate_id=submitted.id)]
    await Signature.filter(user_id=signers[0]).delete()
    await dispatch_outbox()
    reasons = await told("mandates:mandate:submitted")
    assert reasons == {
        initiator.user_id: Reason.INITIATOR,
        fan.user_id: Reason.FOLLOWER,
        council.user_id: Reason.COUNCIL,
        **{signer: Reason.SIGNER for signer in signers[1:]},
    }
    (note,) = [
        n for n in await notes("mandates:mandate:submitted") if n.recipient_id == fan.user_id
    ]
    assert note.data["status"] == "submitted"
    assert note.data["subject_title"] == submitted.title
    assert note.data["url"] == f"/mandates/{submitted.id}"
    assert note.data["municipality_name"] == town.name
    assert quitter.user_id not in reasons


async def test_an_explicit_unfollow_beats_signing_and_launching() -> None:
    town = await municipality(quorum=2)
    initiator = await people(1)
    submitted = await mandate(initiator[0], town, Status.SUBMITTED)
    signer = await Signature.filter(mandate_id=submitted.id).first()
    assert signer is not None and signer.user_id is not None
    await follow(initiator[0], town.id, FollowSubject.MANDATE, submitted.id, active=False)
    await follow(
        await signed_in(signer.user_id), town.id, FollowSubject.MANDATE, submitted.id, active=False
    )
    await dispatch_outbox()
    reasons = await told("mandates:mandate:submitted")
    assert initiator[0].user_id not in reasons
    assert signer.user_id not in reasons


async def test_completion_asks_how_well_it_was_done_and_the_council_mover_is_not_told() -> None:
    town = await municipality(quorum=2)
    (initiator,) = await people(1)
    council = await council_member(town)
    done = await mandate(initiator, town, Status.COMPLETED, council=council)
    await dispatch_outbox()
    (note,) = [
        n for n in await notes("mandates:mandate:completed") if n.recipient_id == initiator.user_id
    ]
    assert note.data["status"] == "completed"
    assert note.data["rating_url"] == f"/mandates/{done.id}/ratings"
    assert note.data["actor_name"] == "Ratsmitglied"
    assert council.user_id not in await told("mandates:mandate:completed")
    for event in ("reviewed", "accepted", "started"):
        assert initiator.user_id in await told(f"mandates:mandate:{event}")


async def test_rejection_withdrawal_and_expiry_reach_the_initiator() -> None:
    town = await municipality(quorum=2)
    (initiator,) = await people(1)
    await mandate(initiator, town, Status.REJECTED)
    await mandate(initiator, town, Status.EXPIRED)
    await dispatch_outbox()
    assert (await told("mandates:mandate:rejected")).get(initiator.user_id) == Reason.INITIATOR
    assert (await told("mandates:mandate:expired")).get(initiator.user_id) == Reason.INITIATOR


async def test_withdrawing_tells_signers_but_not_the_initiator_who_withdrew() -> None:
    town = await municipality(quorum=5)
    initiator, signer = await people(2)
    open_one = await mandate(initiator, town)
    await commands.sign_mandate(signer, open_one.id)
    await commands.transition_mandate(initiator, open_one.id, Status.WITHDRAWN)
    await dispatch_outbox()
    assert await told("mandates:mandate:withdrawn") == {signer.user_id: Reason.SIGNER}


async def test_a_new_mandate_reaches_followers_of_its_district_and_topics() -> None:
    town = await municipality(quorum=5)
    initiator, by_district, by_topic, elsewhere = await people(4)
    nord = await District.get(municipality_id=town.id, slug="nord")
    mitte = await District.get(municipality_id=town.id, slug="mitte")
    await follow(by_district, town.id, FollowSubject.DISTRICT, nord.id)
    await follow(by_topic, town.id, FollowSubject.TOPIC, "radverkehr")
    await follow(elsewhere, town.id, FollowSubject.DISTRICT, mitte.id)
    opened = await mandate(initiator, town, district="nord", topics=["radverkehr"])
    assert await MandateTopic.filter(mandate_id=opened.id, topic="radverkehr").exists()
    await dispatch_outbox()
    assert await told("mandates:mandate:published") == {
        by_district.user_id: Reason.FOLLOWER,
        by_topic.user_id: Reason.FOLLOWER,
    }


async def test_a_milestone_tells_the_initiator_and_followers_the_share_reached() -> None:
    town = await municipality(quorum=4)
    initiator, fan, signer = await people(3)
    open_one = await mandate(initiator, town)
    await follow(fan, town.id, FollowSubject.MANDATE, open_one.id)
    await commands.sign_mandate(signer, open_one.id)
    await dispatch_outbox()
    found = await notes("mandates:milestone:reached")
    assert {n.recipient_id: n.reason for n in found} == {
        initiator.user_id: Reason.INITIATOR,
        fan.user_id: Reason.FOLLOWER,
    }
    assert found[0].data["share"] == 25
