"""Assigning mandates and answering them officially: outcomes, refusals, the promise's facts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.actors import Actor
from participation.answers import commands
from participation.answers.models import OfficialResponse
from participation.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from participation.mandates.models import Mandate, Status
from participation.municipalities import departments
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import answers as answer_factories
from tests.factories import time_travel

pytestmark = pytest.mark.usefixtures("database")


async def _setup() -> tuple[Municipality, Actor, Actor, Mandate]:
    town = await factories.municipality(quorum=3)
    initiator = await factories.person(name="Initiatorin")
    council = await factories.person(
        name="Rita Rat", email="rita@example.org", role=Role.COUNCIL, municipality=town
    )
    mandate = await factories.mandate(initiator, town, Status.SUBMITTED, council=council)
    return town, initiator, council, mandate


async def _events(mandate_id: int, prefix: str) -> list[OutboxEvent]:
    rows = await OutboxEvent.filter(subject_type="mandate", subject_id=mandate_id).order_by("id")
    return [r for r in rows if r.name.startswith(prefix)]


def _fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e.field for e in exc.value.errors}


# -- assignment --------------------------------------------------------------------------------


async def test_assigning_shows_department_and_person_by_name_and_role_never_email() -> None:
    town, _, council, mandate = await _setup()
    roads = await answer_factories.department(town, "Tiefbauamt")
    assignment = await commands.assign_mandate(council, mandate.id, roads.id, council.user_id)
    assert assignment.changed
    stored = await Mandate.get(id=mandate.id)
    assert (stored.department_id, stored.responsible_id) == (roads.id, council.user_id)
    entry = await TimelineEntry.get(mandate_id=mandate.id, kind="assignment")
    assert entry.data == {
        "department_id": roads.id,
        "department": "Tiefbauamt",
        "responsible": {"display_name": "Rita Rat", "role": "council"},
    }
    assert "rita@example.org" not in str(entry.data)
    events = await _events(mandate.id, "answers:")
    assert [e.name for e in events] == ["answers:mandate:assigned"]
    assert events[0].actor_id == council.user_id and events[0].municipality_id == town.id


async def test_assigning_again_to_the_same_writes_nothing_new() -> None:
    town, _, council, mandate = await _setup()
    roads = await answer_factories.department(town)
    await commands.assign_mandate(council, mandate.id, roads.id)
    again = await commands.assign_mandate(council, mandate.id, roads.id)
    assert not again.changed
    assert await TimelineEntry.filter(mandate_id=mandate.id, kind="assignment").count() == 1
    parks = await answer_factories.department(town, "Grünflächenamt")
    await commands.assign_mandate(council, mandate.id, parks.id, council.user_id)
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="assignment").order_by("id")
    assert [e.data["department"] for e in entries][-1] == "Grünflächenamt"


async def test_a_department_of_another_municipality_is_refused_and_nothing_stored() -> None:
    _, _, council, mandate = await _setup()
    elsewhere = await factories.municipality(name="Anderswo")
    foreign = await answer_factories.department(elsewhere, "Bauamt Anderswo")
    with pytest.raises(InvalidInput) as refused:
        await commands.assign_mandate(council, mandate.id, foreign.id)
    assert _fields(refused) == {"department_id"}
    stored = await Mandate.get(id=mandate.id)
    assert stored.department_id is None
    assert not await TimelineEntry.filter(mandate_id=mandate.id, kind="assignment").exists()
    assert await _events(mandate.id, "answers:") == []


async def test_a_retired_department_takes_no_new_mandates() -> None:
    town, _, council, mandate = await _setup()
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    old = await departments.create_department(admin, town.slug, "Altes Amt")
    await departments.retire_department(admin, old.id)
    with pytest.raises(InvalidInput) as refused:
        await commands.assign_mandate(council, mandate.id, old.id)
    assert _fields(refused) == {"department_id"}
    assert "retired" in refused.value.errors[0].message


async def test_the_responsible_must_hold_the_council_or_admin_role_here() -> None:
    town, initiator, council, mandate = await _setup()
    roads = await answer_factories.department(town)
    elsewhere = await factories.municipality()
    council_elsewhere = await factories.person(role=Role.COUNCIL, municipality=elsewhere)
    for nobody in (initiator.user_id, council_elsewhere.user_id, 999_999, -3):
        with pytest.raises(InvalidInput) as refused:
            await commands.assign_mandate(council, mandate.id, roads.id, nobody)
        assert _fields(refused) == {"responsible_user_id"}
    with pytest.raises(InvalidInput) as both:
        await commands.assign_mandate(council, mandate.id, 999_999, initiator.user_id)
    assert _fields(both) == {"department_id", "responsible_user_id"}
    assert (await Mandate.get(id=mandate.id)).department_id is None
    admin = await factories.person(name="Ada Admin", role=Role.ADMIN, municipality=town)
    await commands.assign_mandate(council, mandate.id, roads.id, admin.user_id)
    entry = await TimelineEntry.get(mandate_id=mandate.id, kind="assignment")
    assert entry.data["responsible"] == {"display_name": "Ada Admin", "role": "admin"}


async def test_only_mandates_with_the_council_can_be_assigned() -> None:
    town, initiator, council, _ = await _setup()
    roads = await answer_factories.department(town)
    collecting = await factories.mandate(initiator, town, Status.COLLECTING)
    with pytest.raises(Conflict):
        await commands.assign_mandate(council, collecting.id, roads.id)
    done = await factories.mandate(initiator, town, Status.COMPLETED, council=council)
    with pytest.raises(Conflict):
        await commands.assign_mandate(council, done.id, roads.id)


# -- answers -----------------------------------------------------------------------------------


async def test_the_first_answer_acknowledges_keeps_the_promise_and_is_signed() -> None:
    town, _, council, mandate = await _setup()
    roads = await answer_factories.department(town, "Tiefbauamt")
    await commands.assign_mandate(council, mandate.id, roads.id)
    response = await commands.respond_to_mandate(
        council,
        mandate.id,
        "first_answer",
        "Wir **prüfen** das.\n\n<script>alert(1)</script>",
    )
    assert response.role == "council" and response.department_name == "Tiefbauamt"
    assert "<strong>prüfen</strong>" in response.body_html
    assert "<script>" not in response.body_html
    stored = await Mandate.get(id=mandate.id)
    assert stored.status == Status.IN_REVIEW
    assert stored.first_answer_at is not None and stored.promise_kept is True
    kinds = [
        (e.kind, e.data.get("to"))
        for e in await TimelineEntry.filter(mandate_id=mandate.id).order_by("id")
    ]
    assert kinds[-3:] == [("assignment", None), ("status", "in_review"), ("response", None)]
    entry = await TimelineEntry.get(mandate_id=mandate.id, kind="response")
    assert entry.data["kind"] == "first_answer" and entry.data["first"] is True
    assert entry.data["promise_kept"] is True
    assert entry.data["department"] == "Tiefbauamt" and entry.data["role"] == "council"
    assert entry.data["body_html"] == response.body_html
    names = [e.name for e in await _events(mandate.id, "")]
    assert names[-2:] == ["mandates:mandate:reviewed", "answers:response:published"]


async def test_kept_is_set_once_by_the_first_answer_and_never_flipped() -> None:
    town, _, council, mandate = await _setup()
    due = mandate.answer_due_at
    assert due is not None
    await commands.respond_to_mandate(council, mandate.id, "first_answer", "Eingegangen.")
    first = await Mandate.get(id=mandate.id)
    assert first.promise_kept is True
    with time_travel(due + timedelta(days=30)):
        await commands.respond_to_mandate(council, mandate.id, "update", "Noch in Arbeit.")
        await commands.respond_to_mandate(council, mandate.id, "decision", "Angenommen.")
    later = await Mandate.get(id=mandate.id)
    assert (later.first_answer_at, later.promise_kept) == (first.first_answer_at, True)
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="response").order_by("id")
    assert [e.data["first"] for e in entries] == [True, False, False]
    assert "promise_kept" not in entries[1].data


async def test_a_late_first_answer_breaks_the_promise_for_good() -> None:
    town, initiator, council, mandate = await _setup()
    assert mandate.answer_due_at is not None
    late = mandate.answer_due_at + timedelta(seconds=1)
    with time_travel(late):
        await commands.respond_to_mandate(council, mandate.id, "update", "Verspätet, sorry.")
    await commands.respond_to_mandate(council, mandate.id, "decision", "Beschlossen.")
    stored = await Mandate.get(id=mandate.id)
    assert stored.first_answer_at == late and stored.promise_kept is False


async def test_an_answer_exactly_at_the_due_time_keeps_the_promise() -> None:
    _, _, council, mandate = await _setup()
    assert mandate.answer_due_at is not None
    with time_travel(mandate.answer_due_at):
        await commands.respond_to_mandate(
            council, mandate.id, "first_answer", "Gerade rechtzeitig."
        )
    assert (await Mandate.get(id=mandate.id)).promise_kept is True


async def test_bad_answers_name_each_field_and_store_nothing() -> None:
    _, _, council, mandate = await _setup()
    cases = [
        ({"body": "   \n "}, {"body"}),
        ({"body": "x" * 20_001}, {"body"}),
        ({"kind": "verdict"}, {"kind"}),
        ({"council_paper_url": "javascript:alert(1)"}, {"council_paper_url"}),
        ({"council_paper_url": "ftp://ris.example.org/vorlage/1"}, {"council_paper_url"}),
        ({"council_paper_url": "https://"}, {"council_paper_url"}),
        ({"council_paper_url": "https://ris.example.org/" + "a" * 500}, {"council_paper_url"}),
        ({"council_paper_url": "https://ris.example.org/a b"}, {"council_paper_url"}),
        ({"council_paper_reference": "V" * 65}, {"council_paper_reference"}),
        ({"council_paper_reference": "DS 1\nDS 2"}, {"council_paper_reference"}),
        (
            {"body": "", "council_paper_url": "data:text/html,x", "kind": "x"},
            {"body", "council_paper_url", "kind"},
        ),
    ]
    for change, fields in cases:
        values = {"kind": "decision", "body": "Beschluss.", **change}
        with pytest.raises(InvalidInput) as refused:
            await commands.respond_to_mandate(council, mandate.id, **values)
        assert _fields(refused) == fields, change
    assert await OfficialResponse.all().count() == 0
    stored = await Mandate.get(id=mandate.id)
    assert stored.status == Status.SUBMITTED and stored.first_answer_at is None
    assert await _events(mandate.id, "answers:") == []


async def test_a_decision_carries_its_council_paper() -> None:
    _, _, council, mandate = await _setup()
    response = await commands.respond_to_mandate(
        council,
        mandate.id,
        "decision",
        "Der Rat hat zugestimmt.",
        council_paper_reference="  DS 0815/2026 ",
        council_paper_url="https://ris.example.org/oparl/paper/815",
    )
    assert response.council_paper_reference == "DS 0815/2026"
    assert response.council_paper_url == "https://ris.example.org/oparl/paper/815"
    entry = await TimelineEntry.get(mandate_id=mandate.id, kind="response")
    assert entry.data["council_paper_reference"] == "DS 0815/2026"


async def test_a_second_first_answer_is_refused() -> None:
    _, _, council, mandate = await _setup()
    await commands.respond_to_mandate(council, mandate.id, "first_answer", "Eingegangen.")
    with pytest.raises(InvalidInput) as refused:
        await commands.respond_to_mandate(council, mandate.id, "first_answer", "Nochmal.")
    assert _fields(refused) == {"kind"}


async def test_mandates_that_never_reached_the_council_cannot_be_answered() -> None:
    town, initiator, council, _ = await _setup()
    for status in (Status.DRAFT, Status.COLLECTING, Status.WITHDRAWN, Status.EXPIRED):
        mandate = await factories.mandate(initiator, town, status)
        with pytest.raises(Conflict):
            await commands.respond_to_mandate(council, mandate.id, "first_answer", "Hallo.")
    assert await OfficialResponse.all().count() == 0


async def test_decided_mandates_can_still_get_updates() -> None:
    town, initiator, council, _ = await _setup()
    rejected = await factories.mandate(initiator, town, Status.REJECTED, council=council)
    await commands.respond_to_mandate(council, rejected.id, "update", "Zur Begründung: …")
    assert (await Mandate.get(id=rejected.id)).status == Status.REJECTED


async def test_the_signature_stays_as_it_was_when_the_department_is_renamed() -> None:
    town, _, council, mandate = await _setup()
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    roads = await departments.create_department(admin, town.slug, "Tiefbauamt")
    await commands.assign_mandate(council, mandate.id, roads.id)
    await commands.respond_to_mandate(council, mandate.id, "first_answer", "Eingegangen.")
    await departments.rename_department(admin, roads.id, "Amt für Straßen")
    response = await OfficialResponse.get(mandate_id=mandate.id)
    assert response.department_name == "Tiefbauamt"
    assert response.department_id == roads.id


async def test_an_administrator_signs_as_administrator() -> None:
    town, _, _, mandate = await _setup()
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    response = await commands.respond_to_mandate(admin, mandate.id, "first_answer", "Eingang.")
    assert response.role == "admin" and response.department_name is None


# -- who may --------------------------------------------------------------------------------------

PEOPLE = ["anonymous", "citizen", "initiator", "council", "council elsewhere", "admin"]
ALLOWED = {"council", "admin"}


async def _who(who: str, town: Municipality, initiator: Actor) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "initiator":
        return initiator
    if who == "council elsewhere":
        other = await factories.municipality(name="Anderswo")
        return await factories.person(role=Role.COUNCIL, municipality=other)
    if who in ("council", "admin"):
        return await factories.person(role=Role(who), municipality=town)
    return await factories.person()


@pytest.mark.parametrize("who", PEOPLE)
async def test_who_may_answer(who: str) -> None:
    town, initiator, _, mandate = await _setup()
    actor = await _who(who, town, initiator)
    if who in ALLOWED:
        await commands.respond_to_mandate(actor, mandate.id, "first_answer", "Eingegangen.")
        assert await OfficialResponse.filter(mandate_id=mandate.id).count() == 1
        return
    expected = PermissionDenied if actor is not None else Exception
    with pytest.raises(expected) as refused:
        await commands.respond_to_mandate(actor, mandate.id, "first_answer", "Eingegangen.")
    assert refused.value.status in (401, 403)
    assert await OfficialResponse.all().count() == 0
    assert (await Mandate.get(id=mandate.id)).first_answer_at is None


@pytest.mark.parametrize("who", PEOPLE)
async def test_who_may_assign(who: str) -> None:
    town, initiator, _, mandate = await _setup()
    roads = await answer_factories.department(town)
    actor = await _who(who, town, initiator)
    if who in ALLOWED:
        assert (await commands.assign_mandate(actor, mandate.id, roads.id)).changed
        return
    with pytest.raises(Exception) as refused:
        await commands.assign_mandate(actor, mandate.id, roads.id)
    assert getattr(refused.value, "status", None) in (401, 403)
    assert (await Mandate.get(id=mandate.id)).department_id is None


async def test_an_unknown_mandate_is_not_found() -> None:
    _, _, council, _ = await _setup()
    with pytest.raises(NotFound):
        await commands.respond_to_mandate(council, 987_654, "update", "Hallo.")
    with pytest.raises(NotFound):
        await commands.assign_mandate(council, 987_654, 1)
