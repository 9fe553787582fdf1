"""Mandate commands: launching, the lifecycle, co-signing, quorum, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation import unit
from participation.actors import Actor
from participation.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.mandates import commands, counter, quorum, signing
from participation.mandates.models import Mandate, MandateTopic, Signature, Status
from participation.municipalities.models import Municipality
from participation.municipalities.queries import working_calendar
from participation.outbox.models import OutboxEvent
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import time_travel
from tests.participation.mandates.test_lifecycle import ALLOWED, EVENTS, FORBIDDEN, Mover

pytestmark = pytest.mark.usefixtures("database")

S = Status


async def _setup(quorum: int = 4) -> tuple[Municipality, Actor, Actor]:
    town = await factories.municipality(quorum=quorum)
    initiator = await factories.person(name="Initiatorin")
    council = await factories.council_member(town)
    return town, initiator, council


async def _status_entries(mandate_id: int) -> list[dict]:
    rows = await TimelineEntry.filter(mandate_id=mandate_id, kind="status").order_by("id")
    return [row.data for row in rows]


async def _event_names(mandate_id: int) -> list[str]:
    return list(
        await OutboxEvent.filter(subject_type="mandate", subject_id=mandate_id)
        .order_by("id")
        .values_list("name", flat=True)
    )


# -- launching ------------------------------------------------------------------------------


async def test_launch_creates_a_draft_with_the_municipalitys_quorum() -> None:
    town, initiator, _ = await _setup(quorum=7)
    mandate = await commands.launch_mandate(
        initiator,
        town.slug,
        title="  Mehr Bäume  ",
        summary="Schatten für alle.",
        body="# Warum\n\nWeil es heiß ist.",
        district="nord",
        topics=["Grün", "grün", "Klima"],
    )
    assert mandate.status == S.DRAFT
    assert mandate.title == "Mehr Bäume"
    assert mandate.quorum == 7
    assert mandate.initiator_id == initiator.user_id
    assert "<h1>Warum</h1>" in mandate.body_html
    topics = await MandateTopic.filter(mandate_id=mandate.id).values_list("topic", flat=True)
    assert sorted(topics) == ["grün", "klima"]
    assert await counter.total(mandate.id) == 0
    entries = await TimelineEntry.filter(mandate_id=mandate.id)
    assert [e.kind for e in entries] == ["launched"]
    assert await _event_names(mandate.id) == ["mandates:mandate:launched"]


async def test_launch_needs_a_verified_email() -> None:
    town, _, _ = await _setup()
    unverified = await factories.person(verified=False)
    with pytest.raises(NotAuthenticated):
        await commands.launch_mandate(None, town.slug, title="T", summary="S", body="")
    with pytest.raises(PermissionDenied):
        await commands.launch_mandate(unverified, town.slug, title="T", summary="S", body="")
    assert await Mandate.all().count() == 0


async def test_launch_in_an_unknown_municipality_names_the_field() -> None:
    _, initiator, _ = await _setup()
    with pytest.raises(InvalidInput) as raised:
        await commands.launch_mandate(initiator, "nirgendwo", title="T", summary="S", body="")
    assert [e.field for e in raised.value.errors] == ["municipality"]
    assert await Mandate.all().count() == 0


async def test_launch_with_bad_fields_names_each_and_stores_nothing() -> None:
    town, initiator, _ = await _setup()
    with pytest.raises(InvalidInput) as raised:
        await commands.launch_mandate(
            initiator,
            town.slug,
            title=" ",
            summary="s" * 501,
            body="b" * 20_001,
            district="atlantis",
        )
    assert {e.field for e in raised.value.errors} == {"title", "summary", "body", "district"}
    assert await Mandate.all().count() == 0
    assert await TimelineEntry.all().count() == 0
    assert await OutboxEvent.all().count() == 0


async def test_a_district_of_another_municipality_is_unknown() -> None:
    town, initiator, _ = await _setup()
    await factories.municipality(districts=(("hafen", "Hafen"),))
    with pytest.raises(InvalidInput) as raised:
        await commands.launch_mandate(
            initiator, town.slug, title="T", summary="S", body="", district="hafen"
        )
    assert [e.field for e in raised.value.errors] == ["district"]


async def test_markdown_renders_inert() -> None:
    town, initiator, _ = await _setup()
    mandate = await commands.launch_mandate(
        initiator,
        town.slug,
        title="T",
        summary="S",
        body='<script>alert(1)</script>\n\n[klick](javascript:alert(1)) <img src=x onerror="x()">',
    )
    assert "<script>" not in mandate.body_html
    assert "&lt;script&gt;" in mandate.body_html
    assert 'href="javascript:' not in mandate.body_html
    assert "<img" not in mandate.body_html


# -- visibility -----------------------------------------------------------------------------


async def test_a_draft_is_visible_only_to_its_initiator_and_the_council() -> None:
    town, initiator, council = await _setup()
    draft = await factories.mandate(initiator, town, S.DRAFT)
    stranger = await factories.person()
    other_council = await factories.council_member(await factories.municipality())
    assert (await commands.get_visible(initiator, draft.id)).id == draft.id
    assert (await commands.get_visible(council, draft.id)).id == draft.id
    for actor in (None, stranger, other_council):
        with pytest.raises(NotFound):
            await commands.get_visible(actor, draft.id)


# -- the lifecycle --------------------------------------------------------------------------


async def test_publishing_opens_for_signatures_with_the_initiator_as_first_signer() -> None:
    town, initiator, _ = await _setup()
    draft = await factories.mandate(initiator, town, S.DRAFT)
    mandate = await commands.publish_mandate(initiator, draft.id)
    assert mandate.status == S.COLLECTING
    assert mandate.published_at is not None and mandate.closes_at is not None
    assert mandate.closes_at - mandate.published_at == timedelta(days=town.signature_period_days)
    assert await counter.total(draft.id) == 1
    assert await Signature.filter(mandate_id=draft.id).values_list("user_id", flat=True) == [
        initiator.user_id
    ]
    assert await _status_entries(draft.id) == [{"from": "draft", "to": "collecting"}]
    assert "mandates:mandate:published" in await _event_names(draft.id)


async def test_only_the_initiator_publishes() -> None:
    town, initiator, council = await _setup()
    draft = await factories.mandate(initiator, town, S.DRAFT)
    with pytest.raises(PermissionDenied):
        await commands.publish_mandate(council, draft.id)
    with pytest.raises(NotFound):
        await commands.publish_mandate(await factories.person(), draft.id)
    assert (await Mandate.get(id=draft.id)).status == S.DRAFT


@pytest.mark.parametrize(("source", "target"), list(ALLOWED), ids=lambda s: str(s))
async def test_every_allowed_move_by_its_mover(source: Status, target: Status) -> None:
    town, initiator, council = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, source, council=council)
    mover = ALLOWED[(source, target)]
    before = await _event_names(mandate.id)
    if mover == Mover.SYSTEM:
        # Nobody may make the system's moves by hand, not even the council.
        for actor in (initiator, council):
            with pytest.raises(Conflict):
                await commands.transition_mandate(actor, mandate.id, target)
        return
    actor = initiator if mover == Mover.INITIATOR else council
    reason = "Zu teuer." if target == S.REJECTED else None
    moved = await commands.transition_mandate(actor, mandate.id, target, reason)
    assert moved.status == target
    last = (await _status_entries(mandate.id))[-1]
    assert last["from"] == source.value and last["to"] == target.value
    if reason:
        assert last["reason"] == reason
    assert EVENTS[target] in (await _event_names(mandate.id))[len(before) :]
    if target in (S.WITHDRAWN, S.REJECTED, S.COMPLETED):
        assert moved.closed_at is not None


@pytest.mark.parametrize("source", list(S), ids=str)
async def test_every_forbidden_move_is_a_conflict_listing_the_allowed_ones(source: Status) -> None:
    town, initiator, council = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, source, council=council)
    entries = await TimelineEntry.filter(mandate_id=mandate.id).count()
    targets = [target for (s, target) in FORBIDDEN if s == source]
    for actor, mover in ((initiator, Mover.INITIATOR), (council, Mover.COUNCIL)):
        allowed = sorted(t.value for (s, t), m in ALLOWED.items() if s == source and m == mover)
        for target in targets:
            with pytest.raises(Conflict) as raised:
                await commands.transition_mandate(actor, mandate.id, target, "weil")
            assert sorted(raised.value.extra["allowed_transitions"]) == allowed
            assert raised.value.extra["status_now"] == source
    assert (await Mandate.get(id=mandate.id)).status == source
    assert await TimelineEntry.filter(mandate_id=mandate.id).count() == entries


async def test_council_moves_are_the_councils() -> None:
    town, initiator, council = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, S.SUBMITTED)
    outsider_council = await factories.council_member(await factories.municipality())
    for actor in (initiator, outsider_council, await factories.person()):
        with pytest.raises(PermissionDenied):
            await commands.transition_mandate(actor, mandate.id, S.IN_REVIEW)
    assert (await Mandate.get(id=mandate.id)).status == S.SUBMITTED


async def test_only_the_initiator_withdraws() -> None:
    town, initiator, council = await _setup()
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    with pytest.raises(PermissionDenied):
        await commands.transition_mandate(council, mandate.id, S.WITHDRAWN)
    assert (await Mandate.get(id=mandate.id)).status == S.COLLECTING


async def test_rejection_needs_a_reason() -> None:
    town, initiator, council = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, S.IN_REVIEW, council=council)
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as raised:
            await commands.transition_mandate(council, mandate.id, S.REJECTED, reason)
        assert [e.field for e in raised.value.errors] == ["reason"]
    with pytest.raises(InvalidInput):
        await commands.transition_mandate(council, mandate.id, S.REJECTED, "x" * 2001)
    assert (await Mandate.get(id=mandate.id)).status == S.IN_REVIEW


async def test_an_unknown_status_names_the_field() -> None:
    town, initiator, _ = await _setup()
    mandate = await factories.mandate(initiator, town, S.DRAFT)
    with pytest.raises(InvalidInput) as raised:
        await commands.transition_mandate(initiator, mandate.id, "archived")
    assert [e.field for e in raised.value.errors] == ["to"]


# -- co-signing and the quorum ----------------------------------------------------------------


async def test_signing_is_idempotent() -> None:
    town, initiator, _ = await _setup(quorum=10)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    signer = await factories.person()
    first = await commands.sign_mandate(signer, mandate.id)
    again = await commands.sign_mandate(signer, mandate.id)
    assert (first.created, first.signature_count, first.status) == (True, 2, S.COLLECTING)
    assert (again.created, again.signature_count) == (False, 2)
    assert await Signature.filter(mandate_id=mandate.id).count() == 2
    assert await _event_names(mandate.id) == [
        "mandates:mandate:launched",
        "mandates:mandate:published",
        "mandates:signature:created",
        "mandates:signature:created",
    ]


async def test_the_initiator_signing_again_changes_nothing() -> None:
    town, initiator, _ = await _setup(quorum=10)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    outcome = await commands.sign_mandate(initiator, mandate.id)
    assert not outcome.created
    assert await counter.total(mandate.id) == 1


async def test_signing_needs_a_verified_email() -> None:
    town, initiator, _ = await _setup()
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    with pytest.raises(NotAuthenticated):
        await commands.sign_mandate(None, mandate.id)
    with pytest.raises(PermissionDenied):
        await commands.sign_mandate(await factories.person(verified=False), mandate.id)
    assert await counter.total(mandate.id) == 1


@pytest.mark.parametrize(
    "status",
    [
        S.DRAFT,
        S.IN_REVIEW,
        S.ACCEPTED,
        S.IN_PROGRESS,
        S.COMPLETED,
        S.REJECTED,
        S.WITHDRAWN,
        S.EXPIRED,
    ],
    ids=str,
)
async def test_signing_a_mandate_not_open_for_signatures_is_a_conflict(status: Status) -> None:
    town, initiator, council = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, status, council=council)
    count = await counter.total(mandate.id)
    # The council can see drafts too, so a draft gives a conflict rather than "not found".
    with pytest.raises(Conflict):
        await commands.sign_mandate(council, mandate.id)
    assert await counter.total(mandate.id) == count
    assert await Signature.filter(mandate_id=mandate.id, user_id=council.user_id).count() == 0


async def test_a_submitted_mandate_still_takes_signatures() -> None:
    town, initiator, _ = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, S.SUBMITTED)
    outcome = await commands.sign_mandate(await factories.person(), mandate.id)
    assert (outcome.created, outcome.signature_count, outcome.status) == (True, 3, S.SUBMITTED)
    assert len(await _status_entries(mandate.id)) == 2  # collecting, submitted; nothing new


async def test_reaching_the_quorum_submits_once_with_milestones_on_the_way() -> None:
    town, initiator, _ = await _setup(quorum=4)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    signers = await factories.people(4)
    outcomes = [await commands.sign_mandate(s, mandate.id) for s in signers]
    assert [o.status for o in outcomes] == [S.COLLECTING, S.COLLECTING, S.SUBMITTED, S.SUBMITTED]
    assert [o.signature_count for o in outcomes] == [2, 3, 4, 5]
    current = await Mandate.get(id=mandate.id)
    assert current.status == S.SUBMITTED
    assert current.submitted_at is not None and current.answer_due_at is not None
    # The promise runs in working days of the municipality's calendar, to the end of a day.
    calendar = await working_calendar(town)
    assert current.answer_due_at == calendar.due_at(current.submitted_at, town.service_promise_days)
    milestones = await TimelineEntry.filter(mandate_id=mandate.id, kind="milestone")
    # 1 of 4 at publishing is 25 %, 2 of 4 is 50 %, 3 of 4 is 75 %.
    assert [m.data["percent"] for m in milestones] == [25, 50, 75]
    statuses = await _status_entries(mandate.id)
    assert statuses == [
        {"from": "draft", "to": "collecting"},
        {"from": "collecting", "to": "submitted", "count": 4},
    ]
    assert (await _event_names(mandate.id)).count("mandates:mandate:submitted") == 1


async def test_a_quorum_of_one_is_reached_by_publishing() -> None:
    town, initiator, _ = await _setup(quorum=1)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    assert mandate.status == S.SUBMITTED


# -- withdrawing a signature ------------------------------------------------------------------


async def test_withdrawing_a_signature_while_collecting() -> None:
    town, initiator, _ = await _setup(quorum=10)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    signer = await factories.person()
    await commands.sign_mandate(signer, mandate.id)
    assert await commands.withdraw_signature(signer, mandate.id) == 1
    assert await Signature.filter(mandate_id=mandate.id, user_id=signer.user_id).count() == 0
    # Withdrawing again, or without having signed, changes nothing.
    assert await commands.withdraw_signature(signer, mandate.id) == 1
    assert (await _event_names(mandate.id))[-1] == "mandates:signature:withdrawn"
    assert (await _event_names(mandate.id)).count("mandates:signature:withdrawn") == 1
    # Signing again after withdrawing counts again.
    assert (await commands.sign_mandate(signer, mandate.id)).signature_count == 2


async def test_the_initiators_signature_stands() -> None:
    town, initiator, _ = await _setup()
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    with pytest.raises(Conflict):
        await commands.withdraw_signature(initiator, mandate.id)
    assert await counter.total(mandate.id) == 1


async def test_no_withdrawing_after_the_quorum() -> None:
    town, initiator, _ = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, S.SUBMITTED)
    signer = (await Signature.filter(mandate_id=mandate.id).exclude(user_id=initiator.user_id))[0]
    from participation.accounts.authorization.actors import load_actor

    actor = await load_actor(signer.user_id)  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        await commands.withdraw_signature(actor, mandate.id)
    with pytest.raises(NotAuthenticated):
        await commands.withdraw_signature(None, mandate.id)
    assert await counter.total(mandate.id) == 2


# -- expiry -----------------------------------------------------------------------------------


async def test_mandates_expire_after_the_signature_period() -> None:
    town, initiator, _ = await _setup(quorum=10)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    assert mandate.closes_at is not None
    with time_travel(mandate.closes_at - timedelta(minutes=1)):
        assert await quorum.expire_mandates() == 0
    assert (await Mandate.get(id=mandate.id)).status == S.COLLECTING
    with time_travel(mandate.closes_at + timedelta(minutes=1)):
        assert await quorum.expire_mandates() == 1
        assert await quorum.expire_mandates() == 0
    expired = await Mandate.get(id=mandate.id)
    assert expired.status == S.EXPIRED and expired.closed_at is not None
    assert (await _status_entries(mandate.id))[-1] == {"from": "collecting", "to": "expired"}


async def test_expiry_submits_a_mandate_whose_quorum_check_was_lost() -> None:
    town, initiator, _ = await _setup(quorum=2)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    # A signature committed, then the process died before its quorum check.
    signer = await factories.person()
    async with unit.atomic() as u:
        await signing.add_signature(u, mandate.id, signer.user_id)
    assert (await Mandate.get(id=mandate.id)).status == S.COLLECTING
    assert mandate.closes_at is not None
    with time_travel(mandate.closes_at + timedelta(days=1)):
        assert await quorum.expire_mandates() == 0
    assert (await Mandate.get(id=mandate.id)).status == S.SUBMITTED


async def test_milestones_passed_in_one_jump_are_each_announced_once() -> None:
    town, initiator, _ = await _setup(quorum=8)
    mandate = await factories.mandate(initiator, town, S.COLLECTING)
    # Five signatures commit before anyone checks the quorum: 6 of 8 is past 25, 50, 75 %.
    for signer in await factories.people(5):
        async with unit.atomic() as u:
            await signing.add_signature(u, mandate.id, signer.user_id)
    await quorum.check_quorum(mandate.id)
    await quorum.check_quorum(mandate.id)
    milestones = await TimelineEntry.filter(mandate_id=mandate.id, kind="milestone")
    assert [m.data["percent"] for m in milestones] == [25, 50, 75]
    assert (await Mandate.get(id=mandate.id)).status == S.COLLECTING
