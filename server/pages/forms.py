"""What every page form handler shares: CSRF, sign-in redirects, and error rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from participation.actors import Actor
from participation.errors import DomainError, FieldError, NotAuthenticated
from participation.messages import Message
from participation.redirects import safe_next
from server import i18n
from server.auth import actor_of
from server.csrf import CSRF_FIELD, check_csrf
from server.templating import render

MAX_FORM = 256 * 1024
MAX_FIELDS = 50


class FieldTooLarge(DomainError):
    """413, as for a body over MAX_REQUEST_BYTES, but naming the field that is too large."""

    status = 413
    title = "Payload too large"


def sign_in_redirect(request: Request, next_path: str | None = None) -> RedirectResponse:
    target = safe_next(next_path or request.url.path)
    return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)


async def read_form(request: Request, max_fields: int = MAX_FIELDS) -> FormData:
    """The posted form after the CSRF check; raises InvalidInput on a missing or wrong token
    and FieldTooLarge for a field over MAX_FORM.

    The parser's own part limit answers 400 with no field named, so it gets the whole
    body's cap (already enforced by the body limit) and the fields are measured here.
    """
    settings = request.app.state.settings
    form = await request.form(
        max_files=0, max_fields=max_fields, max_part_size=settings.max_request_bytes
    )
    for name, value in form.multi_items():
        if isinstance(value, str) and len(value.encode()) > MAX_FORM:
            message = Message("A form field may hold at most %(kib)s KiB.", kib=MAX_FORM // 1024)
            raise FieldTooLarge(message, [FieldError(name, message)])
    check_csrf(request, form.get(CSRF_FIELD))
    return form


def field_errors(exc: DomainError) -> dict[str, str]:
    """Messages per field in the reader's language, for showing next to the fields."""
    return {e.field: i18n.gettext(e.message) for e in exc.errors}


def error_page(request: Request, exc: DomainError) -> Response:
    # The domain speaks English; pages show the catalogue's translation where one exists.
    messages = [i18n.gettext(e.message) for e in exc.errors if e.message != exc.detail]
    return render_error(request, exc.status, i18n.gettext(exc.detail), messages)


def render_error(
    request: Request, status: int, detail: str | None, messages: list[str] | None = None
) -> Response:
    return render(
        request,
        "pages/error.html",
        status=status,
        status_code=status,
        detail=detail,
        errors=messages or [],
    )


async def action(
    request: Request,
    perform: Callable[[Actor, FormData], Awaitable[Response]],
    back: str,
) -> Response:
    """Run a signed-in form action; unauthenticated people are sent to sign in first."""
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        form = await read_form(request)
        return await perform(actor, form)
    except NotAuthenticated:
        return sign_in_redirect(request, back)
    except DomainError as exc:
        return error_page(request, exc)
