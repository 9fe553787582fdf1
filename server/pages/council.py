"""The council's dashboard: the review queue of a municipality, and acknowledging."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.council.queue import QUEUE_STATUSES, QueueFilter, Sort, review_queue
from participation.errors import DomainError, FieldError, InvalidInput, NotFound
from participation.ids import parse_id
from participation.mandates import commands
from participation.mandates.models import Status
from participation.messages import Message
from participation.municipalities.models import Department, District, Municipality
from participation.municipalities.queries import municipality_by_slug
from participation.redirects import safe_next
from server.auth import actor_of
from server.pages.forms import (
    NO_FORM,
    FormState,
    action,
    error_page,
    field_errors,
    for_page,
    sign_in_redirect,
)
from server.templating import render
from server.web import Pages

PAGE_SIZE = 25
FILTERS = ("status", "district", "topic", "department", "overdue", "sort")


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


def _filters(params: Mapping[str, str]) -> tuple[QueueFilter, list[FieldError]]:
    """The filter form's values; a value that names nothing is reported on its field."""
    problems: list[FieldError] = []
    status = params.get("status") or None
    if status is not None and status not in {s.value for s in QUEUE_STATUSES}:
        problems.append(FieldError("status", Message("Unknown status.")))
        status = None
    sort = params.get("sort") or Sort.DUE.value
    if sort not in {s.value for s in Sort}:
        problems.append(FieldError("sort", Message("Unknown order.")))
        sort = Sort.DUE.value
    department = params.get("department") or None
    department_id = parse_id(department) if department else None
    if department and department_id is None:
        problems.append(FieldError("department", Message("Choose an entry from the list.")))
    filters = QueueFilter(
        status=Status(status) if status else None,
        district=(params.get("district") or "").strip()[:64] or None,
        topic=(params.get("topic") or "").strip()[:40] or None,
        department_id=department_id,
        overdue=params.get("overdue") in ("1", "true", "on"),
        sort=Sort(sort),
    )
    return filters, problems


def _query(filters: QueueFilter, cursor: str | None = None) -> str:
    pairs = {
        "status": filters.status.value if filters.status else "",
        "district": filters.district or "",
        "topic": filters.topic or "",
        "department": str(filters.department_id or ""),
        "overdue": "1" if filters.overdue else "",
        "sort": filters.sort.value,
        "cursor": cursor or "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


async def dashboard(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        municipality = await _municipality(request.path_params["slug"])
    except DomainError as exc:
        return error_page(request, exc)
    return await _dashboard(request, actor, municipality, request.query_params)


async def _dashboard(
    request: Request,
    actor: Actor,
    municipality: Municipality,
    params: Mapping[str, str],
    refused: FormState = NO_FORM,
    refused_status: int = 200,
) -> Response:
    """The queue as `params` filter it; `refused` an acknowledgement refused, its message
    above the queue."""
    filters, problems = _filters(params)
    errors: dict[str, str] = {}
    page = None
    try:
        if problems:
            raise InvalidInput(Message("The filters are invalid."), problems)
        page = await review_queue(
            actor, municipality.slug, filters, PAGE_SIZE, params.get("cursor")
        )
    except InvalidInput as exc:
        errors = field_errors(exc)
    except DomainError as exc:
        return error_page(request, exc)
    if page is None:
        # Bad filters: show the form with the errors, and the queue unfiltered.
        try:
            page = await review_queue(actor, municipality.slug, QueueFilter(), PAGE_SIZE)
        except DomainError as exc:
            return error_page(request, exc)
    here = f"/m/{municipality.slug}/council?{_query(filters, params.get('cursor'))}"
    return render(
        request,
        "pages/council.html",
        status=refused_status if refused.form else 422 if errors else 200,
        acknowledge_errors=refused.of("acknowledge"),
        municipality=municipality,
        districts=await District.filter(municipality_id=municipality.id).order_by("name"),
        departments=await Department.filter(municipality_id=municipality.id).order_by("name"),
        statuses=[s.value for s in QUEUE_STATUSES],
        sorts=[s.value for s in Sort],
        filters=filters,
        values={k: params.get(k, "") for k in FILTERS},
        errors=errors,
        page=page,
        here=here,
        next_url=f"?{_query(filters, page.next)}" if page.next else None,
    )


async def acknowledge(request: Request) -> Response:
    """Start the review of a submitted mandate (submitted → in_review), back to the queue."""
    slug = request.path_params["slug"]
    fallback = f"/m/{slug}/council"

    async def perform(actor: Actor, form: FormData) -> Response:
        mandate_id = parse_id(str(form.get("mandate_id") or ""))
        if mandate_id is None:
            raise InvalidInput.on("mandate_id", Message("Choose an entry from the list."))
        await commands.transition_mandate(actor, mandate_id, Status.IN_REVIEW)
        back = safe_next(form.get("back"), fallback)
        if not back.startswith(fallback):
            back = fallback
        return RedirectResponse(back, status_code=303)

    async def again(actor: Actor, state: FormState, status: int) -> Response:
        back = safe_next(state.values.get("back"), fallback)
        if not back.startswith(fallback):
            back = fallback
        for_page(request, back)
        municipality = await _municipality(slug)
        params = dict(parse_qsl(urlsplit(back).query))
        return await _dashboard(request, actor, municipality, params, state, status)

    return await action(request, perform, fallback, form_id="acknowledge", rerender=again)


ROUTES = [
    Route("/m/{slug}/council", dashboard, methods=["GET"]),
    Route("/m/{slug}/council/acknowledge", acknowledge, methods=["POST"]),
]

PAGES = Pages(15, ROUTES)
