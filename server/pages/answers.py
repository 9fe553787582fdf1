"""The council's forms on a mandate's page: assign it, answer it. Without JavaScript,
mistakes come back on the mandate's page next to the fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.answers import commands
from participation.errors import DomainError, InvalidInput, NotAuthenticated
from participation.ids import parse_id
from server.auth import actor_of
from server.pages.forms import error_page, field_errors, read_form, sign_in_redirect
from server.pages.mandates import mandate_page
from server.web import Pages

Perform = Callable[[Actor, int, FormData], Awaitable[object]]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _chosen_id(form: FormData, name: str) -> int | None:
    """The id picked in a select, None if none was; -1, which names nothing, for text
    that is no id, so that the command names the field with any other bad one."""
    text = _text(form, name).strip()
    if not text:
        return None
    chosen = parse_id(text)
    return -1 if chosen is None else chosen


def _form(section: str, perform: Perform) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        mandate_id = request.path_params["mandate_id"]
        back = f"/mandates/{mandate_id}"
        actor = await actor_of(request)
        if actor is None:
            return sign_in_redirect(request, back)
        try:
            form = await read_form(request)
        except DomainError as exc:
            return error_page(request, exc)
        try:
            await perform(actor, mandate_id, form)
        except InvalidInput as exc:
            values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
            forms = {"section": section, "errors": field_errors(exc), "values": values}
            return await mandate_page(request, status=422, answer_forms=forms)
        except NotAuthenticated:
            return sign_in_redirect(request, back)
        except DomainError as exc:
            return error_page(request, exc)
        return RedirectResponse(f"{back}#answers", status_code=303)

    return handle


async def _assign(actor: Actor, mandate_id: int, form: FormData) -> None:
    department_id = _chosen_id(form, "department_id") or -1
    responsible = _chosen_id(form, "responsible_user_id")
    await commands.assign_mandate(actor, mandate_id, department_id, responsible)


async def _respond(actor: Actor, mandate_id: int, form: FormData) -> None:
    await commands.respond_to_mandate(
        actor,
        mandate_id,
        _text(form, "kind"),
        _text(form, "body"),
        _text(form, "council_paper_reference") or None,
        _text(form, "council_paper_url") or None,
    )


ROUTES = [
    Route("/mandates/{mandate_id:id}/assignment", _form("assign", _assign), methods=["POST"]),
    Route("/mandates/{mandate_id:id}/responses", _form("answer", _respond), methods=["POST"]),
]

PAGES = Pages(5, ROUTES)
