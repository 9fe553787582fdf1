"""Pages of cost analyses: the section on the mandate page, one page per analysis with its
revisions and a diff, and the council's forms to draft, revise and publish."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.costs import commands, queries, rules
from participation.costs.actions import WRITE_COST_ANALYSIS
from participation.costs.commands import measures_of
from participation.costs.models import CostAnalysis
from participation.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from participation.ids import parse_id
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import place_of
from participation.permissions import may
from server import i18n
from server.auth import actor_of
from server.pages.forms import WHOLE_FORM, action, error_page, read_form, sign_in_redirect
from server.templating import env, render
from server.web import Pages

ROWS_START = 5
ROWS_ADDED = 5
# Five fields a row, plus title, assumptions, measure, row count, buttons and the token.
MAX_FIELDS = rules.ITEMS_MAX * 5 + 20
NO_AMOUNT = Message("Enter the amount in euros, such as 1.234,56.")


def euros(cents: int | None) -> str:
    """Cents as the reader's language writes euros: "1.234,56 €", "€1,234.56"."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, "EUR", locale=i18n.current())


env.filters["euros"] = euros


async def may_write(actor: Actor | None, mandate: Mandate) -> bool:
    return Status(mandate.status) in rules.ANALYSABLE and may(
        actor, WRITE_COST_ANALYSIS, await place_of(mandate.municipality_id)
    )


async def section_context(actor: Actor | None, mandate: Mandate) -> dict[str, Any]:
    """What the mandate page's costs section needs."""
    analyses, _ = await queries.analyses_of(actor, mandate.id)
    return {"cost_analyses": analyses, "may_write_costs": await may_write(actor, mandate)}


def _base(mandate_id: int) -> str:
    return f"/mandates/{mandate_id}/costs"


async def _analysis_of(
    actor: Actor | None, mandate_id: int, analysis_id: int, number: int | None = None
) -> dict[str, Any]:
    view = await queries.analysis_view(actor, analysis_id, number)
    if view["mandate_id"] != mandate_id:
        raise NotFound(Message("This cost analysis does not exist."))
    return view


def _number(text: str | None) -> int | None:
    return parse_id(text) if text else None


async def analysis_page(request: Request) -> Response:
    actor = await actor_of(request)
    mandate_id = request.path_params["mandate_id"]
    analysis_id = request.path_params["analysis_id"]
    params = request.query_params
    diff = None
    try:
        mandate = await get_visible(actor, mandate_id)
        view = await _analysis_of(actor, mandate_id, analysis_id, _number(params.get("revision")))
        revisions, _ = await queries.revisions_of(actor, analysis_id)
        start, end = _number(params.get("from")), _number(params.get("to"))
        if start is not None and end is not None:
            diff = await queries.revision_diff(actor, analysis_id, start, end)
    except DomainError as exc:
        return error_page(request, exc)
    numbers = [r["number"] for r in revisions]
    writable = await may_write(actor, mandate)
    return render(
        request,
        "pages/cost_analysis.html",
        mandate=mandate,
        municipality=await Municipality.get(id=mandate.municipality_id),
        analysis=view,
        revisions=revisions,
        diff=diff,
        chosen_from=start if diff else (numbers[1] if len(numbers) > 1 else None),
        chosen_to=end if diff else (numbers[0] if numbers else None),
        may_write=writable,
        publishable=writable and view["latest_revision"] != view["published_revision"],
    )


# -- the form ----------------------------------------------------------------------------


def _blank_rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "description": "",
            "category": "other",
            "kind": "one_off",
            "amount": "",
            "funding_source": "",
        }
        for _ in range(count)
    ]


def _rows_of(view: dict[str, Any]) -> list[dict[str, str]]:
    rows = [
        {
            "description": item["description"],
            "category": item["category"],
            "kind": item["kind"],
            "amount": rules.euros_from_cents(item["amount_cents"]),
            "funding_source": item["funding_source"],
        }
        for item in view["items"]
    ]
    return rows + _blank_rows(max(ROWS_ADDED - len(rows) % ROWS_ADDED, 2))


async def _render_form(
    request: Request,
    mandate: Mandate,
    values: dict[str, Any],
    rows: list[dict[str, str]],
    errors: dict[str, str],
    analysis: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    measures = await measures_of(mandate).order_by("planned_start", "id")
    target = (
        f"{_base(mandate.id)}/{analysis['id']}/edit" if analysis else f"{_base(mandate.id)}/new"
    )
    return render(
        request,
        "pages/cost_analysis_form.html",
        status=status,
        mandate=mandate,
        analysis=analysis,
        values=values,
        rows=rows,
        errors=errors,
        measures=measures,
        target=target,
        categories=rules.CATEGORIES,
        kinds=rules.KINDS,
        limits={
            "title": rules.TITLE_MAX,
            "description": rules.DESCRIPTION_MAX,
            "funding_source": rules.FUNDING_SOURCE_MAX,
            "assumptions": rules.ASSUMPTIONS_MAX,
        },
    )


def _form_rows(form: FormData) -> list[dict[str, str]]:
    count = min(parse_id(str(form.get("rows") or "0")) or 0, rules.ITEMS_MAX + ROWS_ADDED)
    return [
        {
            name: str(form.get(f"items-{i}-{name}") or "")
            for name in ("description", "category", "kind", "amount", "funding_source")
        }
        for i in range(count)
    ]


def _items_of(rows: list[dict[str, str]]) -> tuple[list[dict[str, Any]], list[int], dict[str, str]]:
    """The items the filled rows hold, the row of each item, and amounts that are no amounts
    (by row field); rows left empty are no items."""
    items: list[dict[str, Any]] = []
    used: list[int] = []
    errors: dict[str, str] = {}
    for i, row in enumerate(rows):
        if not (
            row["description"].strip() or row["amount"].strip() or row["funding_source"].strip()
        ):
            continue
        cents = rules.cents_from_euros(row["amount"])
        if cents is None:
            errors[f"items-{i}-amount"] = i18n.gettext(NO_AMOUNT)
        items.append(
            {
                "description": row["description"],
                "category": row["category"],
                "kind": row["kind"],
                "amount_cents": cents if cents is not None else 0,
                "funding_source": row["funding_source"],
            }
        )
        used.append(i)
    return items, used, errors


def _row_errors(problems: list[FieldError], used: list[int]) -> dict[str, str]:
    """The domain's `items[3].amount_cents` as the form's field id `items-<row>-amount`."""
    errors: dict[str, str] = {}
    for error in problems:
        field = error.field
        if field.startswith("items[") and "]" in field:
            index_text, _, name = field[len("items[") :].partition("]")
            index = parse_id(index_text)
            row = used[index] if index is not None and index < len(used) else 0
            name = name.lstrip(".") or "description"
            name = "amount" if name == "amount_cents" else name
            field = f"items-{row}-{name}"
        errors.setdefault(field, i18n.gettext(error.message))
    return errors


async def _submit(request: Request, analysis_id: int | None) -> Response:
    mandate_id = request.path_params["mandate_id"]
    back = f"{_base(mandate_id)}/{analysis_id}/edit" if analysis_id else f"{_base(mandate_id)}/new"
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        mandate = await get_visible(actor, mandate_id)
        form = await read_form(request, max_fields=MAX_FIELDS)
        analysis = await _analysis_of(actor, mandate_id, analysis_id) if analysis_id else None
    except DomainError as exc:
        return error_page(request, exc)
    rows = _form_rows(form)
    values = {
        "title": str(form.get("title") or ""),
        "assumptions": str(form.get("assumptions") or ""),
        "measure_id": str(form.get("measure_id") or ""),
    }
    if form.get("add_rows") is not None:
        rows += _blank_rows(ROWS_ADDED)
        return await _render_form(request, mandate, values, rows, {}, analysis)
    items, used, amount_errors = _items_of(rows)
    measure_id = parse_id(values["measure_id"]) if values["measure_id"] else None
    if values["measure_id"] and measure_id is None:
        measure_id = -1
    fields: dict[str, Any] = {
        "title": values["title"],
        "items": items,
        "assumptions": values["assumptions"],
        "measure_id": measure_id,
    }
    if amount_errors:
        # The other fields are checked all the same, so every problem shows at once.
        errors = {**_row_errors(await _problems(mandate, fields), used), **amount_errors}
        return await _render_form(request, mandate, values, rows, errors, analysis, 422)
    try:
        if analysis is None:
            created = await commands.create_cost_analysis(actor, mandate_id, **fields)
            target = created.id
        else:
            await commands.revise_cost_analysis(actor, analysis["id"], **fields)
            target = analysis["id"]
    except InvalidInput as exc:
        errors = _row_errors(exc.errors, used)
        return await _render_form(request, mandate, values, rows, errors, analysis, 422)
    except (PermissionDenied, Conflict) as exc:
        problem = {WHOLE_FORM: i18n.gettext(exc.detail)}
        return await _render_form(request, mandate, values, rows, problem, analysis, exc.status)
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"{_base(mandate_id)}/{target}", status_code=303)


async def _problems(mandate: Mandate, fields: dict[str, Any]) -> list[FieldError]:
    """The domain's verdict on title, items and measure, writing nothing."""
    _, problems = rules.check_items(fields["items"])
    title_problem = rules.check_title(fields["title"])
    if title_problem:
        problems["title"] = title_problem
    measure_id = fields["measure_id"]
    if measure_id is not None and not await measures_of(mandate).filter(id=measure_id).exists():
        problems["measure_id"] = Message("This mandate has no such measure.")
    return [FieldError(f, m) for f, m in problems.items()]


async def new_form(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    mandate_id = request.path_params["mandate_id"]
    try:
        mandate = await get_visible(actor, mandate_id)
        if not await may_write(actor, mandate):
            raise PermissionDenied(Message("You are not allowed to do this here."))
    except DomainError as exc:
        return error_page(request, exc)
    values = {
        "title": "",
        "assumptions": "",
        "measure_id": request.query_params.get("measure") or "",
    }
    return await _render_form(request, mandate, values, _blank_rows(ROWS_START), {})


async def new_submit(request: Request) -> Response:
    return await _submit(request, None)


async def edit_form(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    mandate_id = request.path_params["mandate_id"]
    try:
        mandate = await get_visible(actor, mandate_id)
        analysis = await _analysis_of(actor, mandate_id, request.path_params["analysis_id"])
        if not await may_write(actor, mandate):
            raise PermissionDenied(Message("You are not allowed to do this here."))
    except DomainError as exc:
        return error_page(request, exc)
    values = {
        "title": analysis["title"],
        "assumptions": analysis["assumptions"],
        "measure_id": str(analysis["measure_id"] or ""),
    }
    return await _render_form(request, mandate, values, _rows_of(analysis), {}, analysis)


async def edit_submit(request: Request) -> Response:
    return await _submit(request, request.path_params["analysis_id"])


async def publish(request: Request) -> Response:
    mandate_id = request.path_params["mandate_id"]
    analysis_id = request.path_params["analysis_id"]
    back = f"{_base(mandate_id)}/{analysis_id}"

    async def perform(actor: Actor, form: FormData) -> Response:
        await _analysis_of(actor, mandate_id, analysis_id)
        await commands.publish_cost_analysis(actor, analysis_id)
        return RedirectResponse(back, status_code=303)

    return await action(request, perform, back)


async def short_link(request: Request) -> Response:
    """`/cost-analyses/<id>`, as timeline entries and feeds link it, to its page."""
    analysis = await CostAnalysis.get_or_none(id=request.path_params["analysis_id"])
    if analysis is None:
        return error_page(request, NotFound(Message("This cost analysis does not exist.")))
    target = f"{_base(analysis.mandate_id)}/{analysis.id}"
    return RedirectResponse(target, status_code=307)


ROUTES = [
    Route("/cost-analyses/{analysis_id:id}", short_link, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/costs/new", new_form, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/costs/new", new_submit, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/costs/{analysis_id:id}", analysis_page, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/costs/{analysis_id:id}/edit", edit_form, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/costs/{analysis_id:id}/edit", edit_submit, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/costs/{analysis_id:id}/publish", publish, methods=["POST"]),
]

PAGES = Pages(73, ROUTES)
