"""The action plan on the mandate's page, and the council's forms for it.

The plan section is part of the mandate's page (partials/mandate_plan.html). Its forms
post here; a success returns to the plan, a form with bad fields is shown again on a page
of its own with the messages next to the fields and what was typed kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.costs.models import CostAnalysis, CostRevision
from participation.errors import Conflict, DomainError, InvalidInput, NotAuthenticated, NotFound
from participation.mandates import commands as mandate_commands
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Department
from participation.municipalities.queries import place_of
from participation.permissions import may
from participation.plans import commands, queries, rules
from participation.plans.actions import CREATE_MEASURE
from participation.plans.models import Measure, MeasureStatus
from server import i18n
from server.auth import actor_of
from server.pages.forms import error_page, field_errors, for_page, read_form, sign_in_redirect
from server.pages.votes import money
from server.templating import render
from server.web import Pages

# Where the plan section is shown: from review on, and on a mandate that has one.
SHOWN = frozenset({*rules.PLANNABLE, Status.COMPLETED})

LIMITS = {
    "title": rules.TITLE_MAX,
    "description": rules.DESCRIPTION_MAX,
    "reason": rules.REASON_MAX,
    "weight": rules.WEIGHT_MAX,
}

NOT_A_DATE = Message("Enter a date as YYYY-MM-DD.")
NOT_A_NUMBER = Message("Enter a whole number.")


async def _choices(mandate: Mandate) -> tuple[list[Department], list[dict[str, Any]]]:
    """The departments a measure may be given, and the mandate's unlinked cost analyses."""
    departments = await Department.filter(
        municipality_id=mandate.municipality_id, retired_at__isnull=True
    ).order_by("name")
    analyses = await CostAnalysis.filter(mandate_id=mandate.id, measure_id__isnull=True).order_by(
        "id"
    )
    titles = {
        (a, n): t
        for a, n, t in await CostRevision.filter(
            analysis_id__in=[a.id for a in analyses]
        ).values_list("analysis_id", "number", "title")
    }
    return departments, [
        {"id": a.id, "title": titles.get((a.id, a.revision), ""), "status": a.status}
        for a in analyses
    ]


async def plan_context(actor: Actor | None, mandate: Mandate) -> dict[str, Any]:
    """What partials/mandate_plan.html needs, for the mandate's page."""
    measures = await queries.plan_of(mandate.id)
    shown = bool(measures) or mandate.status in SHOWN
    may_plan = (
        shown
        and mandate.status in rules.PLANNABLE
        and may(actor, CREATE_MEASURE, await place_of(mandate.municipality_id))
    )
    departments, analyses = await _choices(mandate) if may_plan else ([], [])
    return {
        "shown": shown,
        "measures": measures,
        "progress": mandate.progress,
        "may_plan": may_plan,
        "may_work": may_plan and mandate.status in rules.WORKABLE,
        "departments": departments,
        "cost_analyses": analyses,
        "limits": LIMITS,
        "money": money,
    }


def _date(form: FormData, name: str, problems: dict[str, str]) -> date | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems[name] = i18n.gettext(NOT_A_DATE)
        return None


def _number(form: FormData, name: str, problems: dict[str, str]) -> int | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 9:
        problems[name] = i18n.gettext(NOT_A_NUMBER)
        return None
    return int(value)


def _values(form: FormData, *names: str) -> dict[str, str]:
    return {name: str(form.get(name) or "") for name in names}


async def _show_form(
    request: Request,
    form_kind: str,
    mandate: Mandate,
    measure: Measure | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    problem: str | None = None,
) -> Response:
    actor = await actor_of(request)
    for_page(request, f"/mandates/{mandate.id}")  # the form's page has no address of its own
    context = await plan_context(actor, mandate)
    view = await queries.measure_view(measure) if measure is not None else None
    return render(
        request,
        "pages/plan_form.html",
        status=status,
        form_kind=form_kind,
        mandate=mandate,
        measure=view,
        plan=context,
        values=values,
        errors=errors,
        problem=problem,
    )


def _back(mandate_id: int, anchor: str = "plan") -> RedirectResponse:
    return RedirectResponse(f"/mandates/{mandate_id}#{anchor}", status_code=303)


async def _signed_in_form(request: Request, back: str) -> tuple[Actor, FormData] | Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        return actor, await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)


class _FormProblems(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form problems")
        self.errors = errors


def _merged(pure: dict[str, str], problems: dict[str, str]) -> _FormProblems:
    errors = {k: i18n.gettext(v) for k, v in pure.items()}
    errors.update(problems)
    return _FormProblems(errors)


async def _submit(
    request: Request,
    form_kind: str,
    mandate: Mandate,
    measure: Measure | None,
    values: dict[str, str],
    work: Callable[[], Awaitable[object]],
) -> Response | None:
    """Run a form's command; the form again with its errors, or None when it went through."""
    try:
        await work()
    except _FormProblems as exc:
        return await _show_form(request, form_kind, mandate, measure, values, exc.errors, 422)
    except InvalidInput as exc:
        errors = field_errors(exc)
        return await _show_form(request, form_kind, mandate, measure, values, errors, 422)
    except Conflict as exc:
        problem = i18n.gettext(exc.detail)
        return await _show_form(request, form_kind, mandate, measure, values, {}, 409, problem)
    except NotAuthenticated:
        return sign_in_redirect(request, f"/mandates/{mandate.id}")
    except DomainError as exc:
        return error_page(request, exc)
    return None


async def create_measure(request: Request) -> Response:
    mandate_id = request.path_params["mandate_id"]
    got = await _signed_in_form(request, f"/mandates/{mandate_id}")
    if isinstance(got, Response):
        return got
    actor, form = got
    try:
        mandate = await mandate_commands.get_visible(actor, mandate_id)
    except DomainError as exc:
        return error_page(request, exc)
    names = ("title", "description", "planned_start", "planned_end", "department_id")
    values = _values(form, *names, "weight", "cost_analysis_id")
    problems: dict[str, str] = {}
    start = _date(form, "planned_start", problems)
    end = _date(form, "planned_end", problems)
    weight = _number(form, "weight", problems)
    department_id = _number(form, "department_id", problems)
    cost_analysis_id = _number(form, "cost_analysis_id", problems)

    async def work() -> None:
        if problems:
            # What cannot be read is not sent; the rest is checked as the command would.
            pure = rules.check_measure(values["title"], values["description"], start, end, weight)
            raise _merged(pure, problems)
        await commands.create_measure(
            actor,
            mandate.id,
            title=values["title"],
            description=values["description"],
            planned_start=start,
            planned_end=end,
            department_id=department_id,
            weight=weight,
            cost_analysis_id=cost_analysis_id,
        )

    refused = await _submit(request, "measure", mandate, None, values, work)
    if refused is not None:
        return refused
    return _back(mandate.id)


async def _measure_and_mandate(
    request: Request, actor: Actor
) -> tuple[Measure, Mandate] | Response:
    measure = await Measure.get_or_none(id=request.path_params["measure_id"])
    try:
        if measure is None:
            raise NotFound(commands.NO_MEASURE)
        mandate = await mandate_commands.get_visible(actor, measure.mandate_id)
    except NotFound:
        return error_page(request, NotFound(commands.NO_MEASURE))
    return measure, mandate


async def update_measure(request: Request) -> Response:
    got = await _signed_in_form(request, "/")
    if isinstance(got, Response):
        return got
    actor, form = got
    found = await _measure_and_mandate(request, actor)
    if isinstance(found, Response):
        return found
    measure, mandate = found
    values = _values(form, "status", "progress", "reason")
    problems: dict[str, str] = {}
    status = values["status"] or None
    progress = _number(form, "progress", problems)
    # The form always shows the progress; it counts only for a measure in progress. A
    # reason typed in goes with dropping only.
    if status != MeasureStatus.IN_PROGRESS.value:
        progress = None
        problems.pop("progress", None)
    reason = values["reason"] if status == MeasureStatus.DROPPED.value else None

    async def work() -> None:
        if problems:
            raise _FormProblems(problems)
        await commands.update_measure(
            actor, measure.id, status=status, progress_percent=progress, reason=reason
        )

    refused = await _submit(request, "update", mandate, measure, values, work)
    if refused is not None:
        return refused
    return _back(mandate.id, f"measure-{measure.id}")


async def add_milestone(request: Request) -> Response:
    got = await _signed_in_form(request, "/")
    if isinstance(got, Response):
        return got
    actor, form = got
    found = await _measure_and_mandate(request, actor)
    if isinstance(found, Response):
        return found
    measure, mandate = found
    values = _values(form, "title", "date", "description")
    problems: dict[str, str] = {}
    day = _date(form, "date", problems)

    async def work() -> None:
        if problems:
            pure = rules.check_milestone(
                values["title"], day, values["description"], measure.planned_start
            )
            raise _merged(pure, problems)
        await commands.add_milestone(
            actor, measure.id, title=values["title"], day=day, description=values["description"]
        )

    refused = await _submit(request, "milestone", mandate, measure, values, work)
    if refused is not None:
        return refused
    return _back(mandate.id, f"measure-{measure.id}")


ROUTES = [
    Route("/mandates/{mandate_id:id}/measures", create_measure, methods=["POST"]),
    Route("/measures/{measure_id:id}/update", update_measure, methods=["POST"]),
    Route("/measures/{measure_id:id}/milestones", add_milestone, methods=["POST"]),
]

PAGES = Pages(75, ROUTES)
