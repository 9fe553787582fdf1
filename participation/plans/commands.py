"""One function per council action on a mandate's action plan.

Each checks permission (the council of the mandate's municipality), the mandate's status
and the input, then writes in one unit of work: the change, its timeline entry, and the
mandate's derived progress (with an entry of its own when it moved).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from participation import text, unit
from participation.actors import Actor
from participation.costs.models import CostAnalysis
from participation.deliberation import subjects
from participation.deliberation.models import SubjectType
from participation.deliberation.threads import open_thread
from participation.errors import Conflict, FieldError, InvalidInput, NotFound
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Department, Municipality
from participation.municipalities.queries import place_of
from participation.permissions import Action, require
from participation.plans import milestones, progress, rules
from participation.plans.actions import ADD_MILESTONE, CREATE_MEASURE, UPDATE_MEASURE
from participation.plans.models import Measure, MeasureMilestone, MeasureStatus
from participation.timeline import entries as timeline

NO_MEASURE = Message("This measure does not exist.")


def _invalid(problems: dict[str, str]) -> InvalidInput:
    return InvalidInput(
        Message("The measure has invalid fields."),
        [FieldError(field, message) for field, message in problems.items()],
    )


async def _council_mandate(
    actor: Actor | None, mandate_id: int, action: Action, statuses: frozenset[Status]
) -> Mandate:
    """The mandate, if `actor` is on its municipality's council and its status allows."""
    mandate = await get_visible(actor, mandate_id)
    require(actor, action, await place_of(mandate.municipality_id))
    if mandate.status not in statuses:
        raise Conflict(
            Message(
                "The action plan of a mandate in status %(status)s cannot be changed.",
                status=mandate.status,
            ),
            status_now=mandate.status,
            allowed_statuses=sorted(s.value for s in statuses),
        )
    return mandate


async def _measure(actor: Actor | None, measure_id: int) -> tuple[Measure, Mandate]:
    measure = await Measure.get_or_none(id=measure_id)
    if measure is None:
        raise NotFound(NO_MEASURE)
    try:
        mandate = await get_visible(actor, measure.mandate_id)
    except NotFound:
        raise NotFound(NO_MEASURE) from None
    return measure, mandate


@subjects.discussed(SubjectType.MEASURE)
async def discussed_measure(actor: Actor | None, measure_id: int) -> subjects.Subject:
    """The measure as its discussion names it, if `actor` may see its mandate; signed
    for with its own department, else its mandate's."""
    try:
        measure, mandate = await _measure(actor, measure_id)
    except NotFound:
        raise NotFound(subjects.GONE) from None
    department = measure.department_id or mandate.department_id
    link = f"/measures/{measure.id}"
    return subjects.Subject(SubjectType.MEASURE, measure.id, measure.title, link, department)


def _department_name(department: Department | None) -> str | None:
    return department.name if department is not None else None


def measure_data(measure: Measure, change: str, department: str | None) -> dict[str, Any]:
    """What a timeline entry about `measure` shows."""
    data: dict[str, Any] = {
        "change": change,
        "measure_id": measure.id,
        "title": measure.title,
        "status": measure.status.value,
        "progress": measure.progress,
        "planned_start": measure.planned_start.isoformat(),
        "planned_end": measure.planned_end.isoformat(),
        "department": department,
    }
    if change == "dropped":
        data["reason"] = measure.reason
    return data


async def create_measure(
    actor: Actor | None,
    mandate_id: int,
    *,
    title: str,
    description: str = "",
    planned_start: date | None,
    planned_end: date | None,
    department_id: int | None = None,
    weight: int | None = None,
    cost_analysis_id: int | None = None,
) -> Measure:
    """Add a measure to the mandate's action plan, as planned, at 0 %.

    The mandate must be in review, accepted or in progress. A cost analysis named is
    linked to the measure. Raises NotFound, NotAuthenticated, PermissionDenied (not the
    council of the mandate's municipality), Conflict (status; the plan is full) and
    InvalidInput naming each bad field (department_id and cost_analysis_id too, when not
    of this municipality or mandate); nothing is stored when any check fails.
    """
    mandate = await _council_mandate(actor, mandate_id, CREATE_MEASURE, rules.PLANNABLE)
    assert actor is not None
    problems = rules.check_measure(title, description, planned_start, planned_end, weight)
    department = None
    if department_id is not None:
        department = await Department.get_or_none(
            id=department_id, municipality_id=mandate.municipality_id, retired_at__isnull=True
        )
        if department is None:
            problems["department_id"] = Message("No such department in this municipality.")
    if cost_analysis_id is not None:
        analysis = await CostAnalysis.get_or_none(id=cost_analysis_id, mandate_id=mandate.id)
        if analysis is None:
            problems["cost_analysis_id"] = Message("No such cost analysis of this mandate.")
        elif analysis.measure_id is not None:
            problems["cost_analysis_id"] = Message(
                "This cost analysis already belongs to another measure."
            )
    description_html = ""
    if "description" not in problems:
        try:
            description_html = await text.render(description, "description")
        except InvalidInput as exc:
            problems["description"] = exc.detail
    if problems:
        raise _invalid(problems)
    assert planned_start is not None and planned_end is not None
    if await Measure.filter(mandate_id=mandate.id).count() >= rules.MEASURES_MAX:
        raise Conflict(
            Message("An action plan holds at most %(max)s measures.", max=rules.MEASURES_MAX)
        )
    async with unit.atomic() as u:
        locked = await progress.lock_mandate(u, mandate.id)
        measure = await Measure.create(
            mandate_id=mandate.id,
            title=title.strip(),
            description=description,
            description_html=description_html,
            department_id=department.id if department else None,
            planned_start=planned_start,
            planned_end=planned_end,
            weight=weight,
            using_db=u.conn,
        )
        await open_thread(u, SubjectType.MEASURE, measure.id, mandate.municipality_id)
        if cost_analysis_id is not None:
            linked = (
                await CostAnalysis.filter(
                    id=cost_analysis_id, mandate_id=mandate.id, measure_id__isnull=True
                )
                .using_db(u.conn)
                .update(measure_id=measure.id)
            )
            if not linked:
                # Linked to another measure a moment ago: the whole measure is undone.
                raise InvalidInput.on(
                    "cost_analysis_id",
                    Message("This cost analysis already belongs to another measure."),
                )
        await timeline.record(
            u,
            mandate.id,
            "measure",
            "plans:measure:created",
            measure_data(measure, "created", _department_name(department)),
            municipality_id=mandate.municipality_id,
            actor_id=actor.user_id,
        )
        await progress.recompute(
            u,
            locked,
            actor_id=actor.user_id,
            cause={"measure_id": measure.id, "measure_title": measure.title},
        )
    return measure


def _status(value: MeasureStatus | str | None) -> MeasureStatus | None:
    if value is None or isinstance(value, MeasureStatus):
        return value
    try:
        return MeasureStatus(value)
    except ValueError:
        raise InvalidInput.on(
            "status", Message("Unknown status %(status)r.", status=value)
        ) from None


async def update_measure(
    actor: Actor | None,
    measure_id: int,
    *,
    status: MeasureStatus | str | None = None,
    progress_percent: int | None = None,
    reason: str | None = None,
) -> Measure:
    """Start a measure, report its progress, mark it done or drop it with a public reason.

    planned → in_progress → done; planned or in progress → dropped. Done sets 100 %.
    Dropping works while the mandate is in review, accepted or in progress; the rest
    once it is accepted. Naming the current status and progress again changes nothing.
    Raises NotFound, NotAuthenticated, PermissionDenied, InvalidInput (status, progress,
    reason) and Conflict (a move that does not exist, listing those that do; progress on
    a measure not in progress; the mandate's status).
    """
    measure, mandate = await _measure(actor, measure_id)
    require(actor, UPDATE_MEASURE, await place_of(mandate.municipality_id))
    target = _status(status)
    statuses = rules.PLANNABLE if target == MeasureStatus.DROPPED else rules.WORKABLE
    await _council_mandate(actor, mandate.id, UPDATE_MEASURE, statuses)
    assert actor is not None
    async with unit.atomic() as u:
        locked = await progress.lock_mandate(u, mandate.id)
        measure = await Measure.get(id=measure_id, using_db=u.conn)
        current = MeasureStatus(measure.status)
        try:
            change = rules.check_update(current, measure.progress, target, progress_percent, reason)
        except rules.MoveRefused as refused:
            raise Conflict(
                refused.message, allowed_transitions=refused.allowed, status_now=current.value
            ) from None
        if isinstance(change, dict):
            raise _invalid(change)
        if change.status == current and change.progress == measure.progress:
            return measure
        kind = {
            MeasureStatus.IN_PROGRESS: "started",
            MeasureStatus.DONE: "done",
            MeasureStatus.DROPPED: "dropped",
        }.get(change.status, "progress")
        if change.status == current:
            kind = "progress"
        measure.status = change.status
        measure.progress = change.progress
        if change.status == MeasureStatus.DROPPED and change.reason:
            measure.reason = change.reason
        await measure.save(
            using_db=u.conn, update_fields=["status", "progress", "reason", "updated_at"]
        )
        department = (
            await Department.get_or_none(id=measure.department_id, using_db=u.conn)
            if measure.department_id
            else None
        )
        await timeline.record(
            u,
            mandate.id,
            "measure",
            "plans:measure:updated",
            measure_data(measure, kind, _department_name(department)),
            municipality_id=mandate.municipality_id,
            actor_id=actor.user_id,
        )
        await progress.recompute(
            u,
            locked,
            actor_id=actor.user_id,
            cause={"measure_id": measure.id, "measure_title": measure.title},
        )
    return measure


async def add_milestone(
    actor: Actor | None,
    measure_id: int,
    *,
    title: str,
    day: date | None,
    description: str = "",
) -> MeasureMilestone:
    """Add a milestone to a measure; one dated today or earlier (in the municipality's
    time zone) is reached at once and goes on the timeline, later ones on their day.

    Raises NotFound, NotAuthenticated, PermissionDenied, Conflict (the mandate's status,
    a dropped measure, too many milestones) and InvalidInput (title, date — not before
    the measure's planned start —, description); nothing is stored when any check fails.
    """
    measure, mandate = await _measure(actor, measure_id)
    await _council_mandate(actor, mandate.id, ADD_MILESTONE, rules.PLANNABLE)
    assert actor is not None
    if measure.status == MeasureStatus.DROPPED:
        raise Conflict(Message("A dropped measure gets no milestones."), status_now=measure.status)
    problems = rules.check_milestone(title, day, description, measure.planned_start)
    description_html = ""
    if "description" not in problems:
        try:
            description_html = await text.render(description, "description")
        except InvalidInput as exc:
            problems["description"] = exc.detail
    if problems:
        raise InvalidInput(
            Message("The milestone has invalid fields."),
            [FieldError(field, message) for field, message in problems.items()],
        )
    assert day is not None
    if await MeasureMilestone.filter(measure_id=measure.id).count() >= rules.MILESTONES_MAX:
        raise Conflict(
            Message("A measure holds at most %(max)s milestones.", max=rules.MILESTONES_MAX)
        )
    town = await Municipality.get(id=mandate.municipality_id)
    async with unit.atomic() as u:
        await progress.lock_mandate(u, mandate.id)
        milestone = await MeasureMilestone.create(
            measure_id=measure.id,
            title=title.strip(),
            date=day,
            description=description,
            description_html=description_html,
            using_db=u.conn,
        )
        if day <= milestones.local_today(town):
            await milestones.reach(u, milestone, measure, mandate, actor.user_id)
        else:
            await timeline.record(
                u,
                mandate.id,
                "measure",
                "plans:milestone:planned",
                {
                    **milestones.milestone_data(milestone, measure),
                    "change": "milestone_planned",
                },
                municipality_id=mandate.municipality_id,
                actor_id=actor.user_id,
            )
    return milestone
