"""Plan commands: measures, their moves and milestones, the derived progress on the timeline,
and everything refused with nothing stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from participation.actors import Actor
from participation.costs.models import CostAnalysis
from participation.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.plans import commands
from participation.plans.models import Measure, MeasureMilestone, MeasureStatus
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import plans, time_travel

pytestmark = pytest.mark.usefixtures("database")

M = MeasureStatus
# A Wednesday noon in Berlin.
NOON = datetime(2027, 4, 14, 10, 0, tzinfo=UTC)


async def _setup(status: Status = Status.ACCEPTED) -> tuple[Municipality, Actor, Mandate]:
    town = await factories.municipality()
    council = await factories.council_member(town)
    initiator = await factories.person(name="Initiatorin")
    mandate = await factories.mandate(initiator, town, status, council=council)
    return town, council, mandate


async def _entries(mandate_id: int, *kinds: str) -> list[TimelineEntry]:
    query = TimelineEntry.filter(mandate_id=mandate_id)
    if kinds:
        query = query.filter(kind__in=kinds)
    return await query.order_by("id")


async def _plan_unchanged(mandate_id: int, entries_before: int) -> None:
    assert await Measure.filter(mandate_id=mandate_id).count() == 0
    assert await TimelineEntry.filter(mandate_id=mandate_id).count() == entries_before
    assert await OutboxEvent.filter(name__startswith="plans:").count() == 0
    assert (await Mandate.get(id=mandate_id)).progress is None


# -- creating measures --------------------------------------------------------------------------


async def test_a_measure_is_added_to_the_plan_and_the_timeline() -> None:
    town, council, mandate = await _setup()
    office = await plans.department(town, "Grünflächenamt")
    measure = await commands.create_measure(
        council,
        mandate.id,
        title="  Zehn Bänke aufstellen ",
        description="Am **Marktplatz**. <script>x</script>",
        planned_start=date(2027, 3, 1),
        planned_end=date(2027, 5, 31),
        department_id=office.id,
        weight=3,
    )
    stored = await Measure.get(id=measure.id)
    assert stored.title == "Zehn Bänke aufstellen"
    assert stored.status == M.PLANNED and stored.progress == 0 and stored.weight == 3
    assert "<strong>Marktplatz</strong>" in stored.description_html
    assert "<script>" not in stored.description_html
    assert stored.department_id == office.id
    created, moved = await _entries(mandate.id, "measure", "progress")
    assert created.kind == "measure" and created.actor_id == council.user_id
    assert created.data == {
        "change": "created",
        "measure_id": measure.id,
        "title": "Zehn Bänke aufstellen",
        "status": "planned",
        "progress": 0,
        "planned_start": "2027-03-01",
        "planned_end": "2027-05-31",
        "department": "Grünflächenamt",
    }
    # The first measure gives the mandate a progress: 0 %, where it had none.
    assert moved.data["progress"] == 0 and moved.data["previous"] is None
    assert (await Mandate.get(id=mandate.id)).progress == 0
    names = (
        await OutboxEvent.filter(name__startswith="plans:")
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == ["plans:measure:created", "plans:progress:changed"]


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS])
async def test_a_plan_may_be_drafted_from_review_on(status: Status) -> None:
    _, council, mandate = await _setup(status)
    await plans.measure(council, mandate)
    assert await Measure.filter(mandate_id=mandate.id).count() == 1


@pytest.mark.parametrize(
    "status", [Status.COLLECTING, Status.SUBMITTED, Status.COMPLETED, Status.REJECTED]
)
async def test_no_plan_before_review_or_after_the_end(status: Status) -> None:
    _, council, mandate = await _setup(status)
    before = await TimelineEntry.filter(mandate_id=mandate.id).count()
    with pytest.raises(Conflict) as refused:
        await plans.measure(council, mandate)
    assert refused.value.extra["status_now"] == status.value
    await _plan_unchanged(mandate.id, before)


async def test_every_bad_field_is_named_and_nothing_is_stored() -> None:
    town, council, mandate = await _setup()
    elsewhere = await factories.municipality()
    foreign_office = await plans.department(elsewhere)
    other = await factories.mandate(await factories.person(), town, Status.ACCEPTED)
    foreign_costs = await plans.cost_analysis(other, one_off_cents=100)
    before = await TimelineEntry.filter(mandate_id=mandate.id).count()
    with pytest.raises(InvalidInput) as refused:
        await commands.create_measure(
            council,
            mandate.id,
            title="",
            description="x" * 10_001,
            planned_start=date(2027, 5, 1),
            planned_end=date(2027, 4, 30),
            department_id=foreign_office.id,
            weight=1001,
            cost_analysis_id=foreign_costs.id,
        )
    assert {e.field for e in refused.value.errors} == {
        "title",
        "description",
        "planned_end",
        "department_id",
        "weight",
        "cost_analysis_id",
    }
    await _plan_unchanged(mandate.id, before)
    assert (await CostAnalysis.get(id=foreign_costs.id)).measure_id is None


async def test_a_retired_department_takes_no_new_measures() -> None:
    town, council, mandate = await _setup()
    office = await plans.department(town)
    office.retired_at = NOON
    await office.save()
    with pytest.raises(InvalidInput) as refused:
        await plans.measure(council, mandate, department_id=office.id)
    assert [e.field for e in refused.value.errors] == ["department_id"]


async def test_a_cost_analysis_of_the_mandate_is_linked_once() -> None:
    _, council, mandate = await _setup()
    analysis = await plans.cost_analysis(mandate, one_off_cents=50_000)
    first = await plans.measure(council, mandate, cost_analysis_id=analysis.id)
    assert (await CostAnalysis.get(id=analysis.id)).measure_id == first.id
    with pytest.raises(InvalidInput) as refused:
        await plans.measure(council, mandate, cost_analysis_id=analysis.id)
    assert [e.field for e in refused.value.errors] == ["cost_analysis_id"]
    assert await Measure.filter(mandate_id=mandate.id).count() == 1


async def test_the_council_of_another_municipality_is_refused() -> None:
    _, _, mandate = await _setup()
    elsewhere = await factories.municipality()
    before = await TimelineEntry.filter(mandate_id=mandate.id).count()
    with pytest.raises(PermissionDenied):
        await plans.measure(await factories.council_member(elsewhere), mandate)
    await _plan_unchanged(mandate.id, before)


@pytest.mark.parametrize("who", ["citizen", "initiator", "moderator"])
async def test_only_the_council_and_administrators_plan(who: str) -> None:
    town, _, mandate = await _setup()
    if who == "initiator":
        assert mandate.initiator_id is not None
        actor = await factories.accounts.signed_in(mandate.initiator_id)
    elif who == "moderator":
        actor = await factories.person(role=Role.MODERATOR, municipality=town)
    else:
        actor = await factories.person()
    with pytest.raises(PermissionDenied):
        await plans.measure(actor, mandate)
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await plans.measure(admin, mandate)


async def test_nobody_signed_in_and_unknown_or_draft_mandates() -> None:
    town, council, mandate = await _setup()
    with pytest.raises(NotAuthenticated):
        await plans.measure(None, mandate)  # type: ignore[arg-type]
    draft = await factories.mandate(await factories.person(), town, Status.DRAFT)
    # Another person's draft does not exist for her; the council sees it, but cannot plan it.
    with pytest.raises(NotFound):
        await plans.measure(await factories.person(), draft)
    with pytest.raises(Conflict):
        await plans.measure(council, draft)
    with pytest.raises(NotFound):
        await commands.update_measure(council, 999_999, status="in_progress")


# -- moves and progress -------------------------------------------------------------------------


async def test_progress_follows_the_measures_and_each_change_is_on_the_timeline() -> None:
    _, council, mandate = await _setup()
    a = await plans.measure(council, mandate, title="Bänke", weight=3)
    b = await plans.measure(council, mandate, title="Beleuchtung", weight=1)
    await commands.update_measure(council, a.id, status="in_progress", progress_percent=50)
    assert (await Mandate.get(id=mandate.id)).progress == 38  # (3·50 + 1·0) / 4 = 37.5
    await commands.update_measure(council, a.id, status="done")
    assert (await Mandate.get(id=mandate.id)).progress == 75
    await commands.update_measure(council, b.id, status="dropped", reason="Kein Strom vor Ort.")
    assert (await Mandate.get(id=mandate.id)).progress == 100
    changes = [e.data["change"] for e in await _entries(mandate.id, "measure")]
    assert changes == ["created", "created", "started", "done", "dropped"]
    progress = [
        (e.data["previous"], e.data["progress"]) for e in await _entries(mandate.id, "progress")
    ]
    # Adding the second measure left 0 % at 0 %: no entry for it.
    assert progress == [(None, 0), (0, 38), (38, 75), (75, 100)]
    dropped = (await _entries(mandate.id, "measure"))[-1]
    assert dropped.data["reason"] == "Kein Strom vor Ort."
    assert (await Measure.get(id=b.id)).reason == "Kein Strom vor Ort."


async def test_a_move_that_does_not_exist_is_a_conflict_listing_the_moves_that_do() -> None:
    _, council, mandate = await _setup()
    measure = await plans.measure(council, mandate)
    with pytest.raises(Conflict) as refused:
        await commands.update_measure(council, measure.id, status="done")
    assert refused.value.extra["allowed_transitions"] == ["dropped", "in_progress"]
    with pytest.raises(Conflict):
        await commands.update_measure(council, measure.id, progress_percent=10)
    assert (await Measure.get(id=measure.id)).status == M.PLANNED


async def test_bad_updates_name_the_field_and_store_nothing() -> None:
    _, council, mandate = await _setup()
    measure = await plans.measure(council, mandate)
    await commands.update_measure(council, measure.id, status="in_progress", progress_percent=10)
    before = await TimelineEntry.filter(mandate_id=mandate.id).count()
    for changes, field in (
        ({"progress_percent": 101}, "progress"),
        ({"progress_percent": -1}, "progress"),
        ({"status": "finished"}, "status"),
        ({"status": "dropped", "reason": " "}, "reason"),
        ({"status": "done", "progress_percent": 90}, "progress"),
        ({}, "body"),
    ):
        with pytest.raises(InvalidInput) as refused:
            await commands.update_measure(council, measure.id, **changes)  # type: ignore[arg-type]
        assert [e.field for e in refused.value.errors] == [field], changes
    stored = await Measure.get(id=measure.id)
    assert (stored.status, stored.progress) == (M.IN_PROGRESS, 10)
    assert await TimelineEntry.filter(mandate_id=mandate.id).count() == before


async def test_work_on_measures_waits_for_acceptance_but_dropping_does_not() -> None:
    _, council, mandate = await _setup(Status.IN_REVIEW)
    measure = await plans.measure(council, mandate)
    with pytest.raises(Conflict):
        await commands.update_measure(council, measure.id, status="in_progress")
    await commands.update_measure(council, measure.id, status="dropped", reason="Doppelt.")
    assert (await Mandate.get(id=mandate.id)).progress is None


async def test_the_same_report_twice_changes_nothing_the_second_time() -> None:
    _, council, mandate = await _setup()
    measure = await plans.measure(council, mandate)
    await commands.update_measure(council, measure.id, status="in_progress", progress_percent=40)
    before = await TimelineEntry.filter(mandate_id=mandate.id).count()
    await commands.update_measure(council, measure.id, status="in_progress", progress_percent=40)
    assert await TimelineEntry.filter(mandate_id=mandate.id).count() == before


async def test_a_progress_report_without_a_change_of_the_whole_has_only_its_measure_entry() -> None:
    _, council, mandate = await _setup()
    a = await plans.measure(council, mandate, weight=1000)
    b = await plans.measure(council, mandate, weight=1)
    await commands.update_measure(council, a.id, status="in_progress", progress_percent=50)
    before = await _entries(mandate.id, "progress")
    # 1 % more of a measure weighing 1 in 1001 leaves the whole at 50 %.
    await commands.update_measure(council, b.id, status="in_progress", progress_percent=1)
    assert await _entries(mandate.id, "progress") == before
    assert (await _entries(mandate.id, "measure"))[-1].data["change"] == "started"


# -- costs as weights ---------------------------------------------------------------------------


async def test_published_costs_weigh_when_weights_are_missing() -> None:
    _, council, mandate = await _setup()
    expensive = await plans.measure(
        council,
        mandate,
        cost_analysis_id=(await plans.cost_analysis(mandate, one_off_cents=800_000)).id,
    )
    await plans.measure(
        council,
        mandate,
        cost_analysis_id=(
            await plans.cost_analysis(mandate, one_off_cents=100_000, per_year_cents=100_000)
        ).id,
    )
    await commands.update_measure(council, expensive.id, status="in_progress")
    await commands.update_measure(council, expensive.id, status="done")
    # 8,000 € of 10,000 € done, where the plain average would be 50 %.
    assert (await Mandate.get(id=mandate.id)).progress == 80


async def test_a_draft_cost_does_not_weigh() -> None:
    _, council, mandate = await _setup()
    done = await plans.measure(
        council, mandate, cost_analysis_id=(await plans.cost_analysis(mandate, one_off_cents=9)).id
    )
    await plans.measure(
        council,
        mandate,
        cost_analysis_id=(await plans.cost_analysis(mandate, one_off_cents=1, published=False)).id,
    )
    await commands.update_measure(council, done.id, status="in_progress")
    await commands.update_measure(council, done.id, status="done")
    assert (await Mandate.get(id=mandate.id)).progress == 50


# -- milestones ---------------------------------------------------------------------------------


async def test_a_milestone_before_the_measures_start_is_refused() -> None:
    _, council, mandate = await _setup()
    measure = await plans.measure(council, mandate, planned_start=date(2027, 3, 1))
    before = await TimelineEntry.filter(mandate_id=mandate.id).count()
    with pytest.raises(InvalidInput) as refused:
        await commands.add_milestone(council, measure.id, title="Zu früh", day=date(2027, 2, 28))
    assert [e.field for e in refused.value.errors] == ["date"]
    assert not await MeasureMilestone.exists()
    assert await TimelineEntry.filter(mandate_id=mandate.id).count() == before


async def test_a_future_milestone_is_planned_and_a_due_one_reached_at_once() -> None:
    _, council, mandate = await _setup()
    measure = await plans.measure(council, mandate, planned_start=date(2027, 3, 1))
    with time_travel(NOON):
        ahead = await commands.add_milestone(
            council, measure.id, title="Aufträge vergeben", day=date(2027, 4, 15)
        )
        today = await commands.add_milestone(
            council, measure.id, title="Fundamente", day=date(2027, 4, 14), description="*Beton*"
        )
    assert (await MeasureMilestone.get(id=ahead.id)).reached_at is None
    assert (await MeasureMilestone.get(id=today.id)).reached_at == NOON
    planned = (await _entries(mandate.id, "measure"))[-1]
    assert planned.data["change"] == "milestone_planned"
    assert planned.data["title"] == "Aufträge vergeben" and planned.data["date"] == "2027-04-15"
    (reached,) = await _entries(mandate.id, "measure_milestone")
    assert reached.data["title"] == "Fundamente"
    assert reached.data["measure_title"] == measure.title
    assert "<em>Beton</em>" in reached.data["description_html"]


async def test_a_dropped_measure_gets_no_milestones() -> None:
    _, council, mandate = await _setup()
    measure = await plans.measure(council, mandate)
    await commands.update_measure(council, measure.id, status="dropped", reason="Weil.")
    with pytest.raises(Conflict):
        await commands.add_milestone(council, measure.id, title="Nie", day=date(2027, 4, 1))


@pytest.mark.postgres
@pytest.mark.timeout(60)
async def test_concurrent_reports_on_one_plan_leave_the_right_progress() -> None:
    """Each change locks the mandate first: none recomputes from a stale view of the others."""
    _, council, mandate = await _setup()
    measures = [await plans.measure(council, mandate) for _ in range(8)]
    await asyncio.gather(
        *(
            commands.update_measure(council, m.id, status="in_progress", progress_percent=10 * n)
            for n, m in enumerate(measures, start=1)
        )
    )
    # (10 + 20 + … + 80) / 8 = 45
    assert (await Mandate.get(id=mandate.id)).progress == 45
    last = (await _entries(mandate.id, "progress"))[-1]
    assert last.data["progress"] == 45
