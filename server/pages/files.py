"""The upload form of a mandate's attachments, without JavaScript.

The form sits in the mandate page's attachments section; a refused upload comes back on
a page of its own with the form and the reason next to the field, and a good one goes
back to the section.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotAuthenticated, PermissionDenied
from participation.files import commands, queries
from participation.ids import parse_id
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate
from participation.messages import Message
from server import limits, uploads
from server.auth import actor_of
from server.csrf import CSRF_FIELD, check_csrf
from server.pages.forms import error_page, field_errors, for_page, sign_in_redirect
from server.templating import render
from server.web import Pages


def _back(mandate_id: int) -> str:
    return f"/mandates/{mandate_id}"


async def _form_page(
    request: Request,
    actor: Actor,
    mandate: Mandate,
    errors: dict[str, str],
    selected: str = "mandate:",
    status: int = 200,
) -> Response:
    section = await queries.section(actor, mandate)
    if not section["may_attach"]:
        raise PermissionDenied(Message("You are not allowed to do this here."))
    for_page(request, f"/mandates/{mandate.id}/attachments/new")  # after a POST too
    return render(
        request,
        "pages/attachment_form.html",
        status=status,
        mandate=mandate,
        targets=section["targets"],
        errors=errors,
        selected=selected,
    )


async def upload_form(request: Request) -> Response:
    mandate_id = request.path_params["mandate_id"]
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        mandate = await get_visible(actor, mandate_id)
        return await _form_page(request, actor, mandate, {})
    except DomainError as exc:
        return error_page(request, exc)


def _subject(value: object) -> tuple[str, int | None]:
    """The select's `type:id` (id empty for the mandate)."""
    subject_type, _, subject_id = str(value or "mandate:").partition(":")
    if not subject_id:
        return subject_type, None
    parsed = parse_id(subject_id)
    if parsed is None:
        raise InvalidInput.on("subject_id", Message("This must be a whole number."))
    return subject_type, parsed


async def upload(request: Request) -> Response:
    mandate_id = request.path_params["mandate_id"]
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, _back(mandate_id))
    try:
        mandate = await get_visible(actor, mandate_id)
    except DomainError as exc:
        return error_page(request, exc)
    await limits.check(request, limits.UPLOAD, actor.user_id)
    selected = "mandate:"
    try:
        async with uploads.read_upload(request, uploads.PAGE_FIELDS) as received:
            check_csrf(request, received.form.get(CSRF_FIELD))
            selected = str(received.form.get("subject") or selected)
            subject_type, subject_id = _subject(selected)
            await commands.attach_file(
                actor,
                mandate.id,
                received.filename,
                received.file,
                subject_type=subject_type,
                subject_id=subject_id,
            )
    except NotAuthenticated:
        return sign_in_redirect(request, _back(mandate_id))
    except (InvalidInput, commands.FileTooLarge) as exc:
        errors = field_errors(exc)
        if CSRF_FIELD in errors:
            return error_page(request, exc)
        try:
            return await _form_page(request, actor, mandate, errors, selected, exc.status)
        except DomainError as denied:
            return error_page(request, denied)
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(_back(mandate.id) + "#attachments", status_code=303)


ROUTES = [
    Route("/mandates/{mandate_id:id}/attachments/new", upload_form, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/attachments", upload, methods=["POST"]),
]

PAGES = Pages(45, ROUTES)
