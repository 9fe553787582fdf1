"""What every page form handler shares: CSRF, sign-in redirects, and error rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from participation.actors import Actor
from participation.errors import DomainError, FieldError, NotAuthenticated, NotFound
from participation.messages import Message
from participation.redirects import safe_next
from server import i18n, notice
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


#: The key of a problem that is about the whole form rather than one field (a 403, a 409):
#: partials/error_summary.html lists it without a link.
WHOLE_FORM = ""


def problems(exc: DomainError) -> dict[str, str]:
    """What the error summary lists: the messages per field, or, for an error that names no
    field (a permission refused, a state conflict), its detail about the whole form."""
    return field_errors(exc) or {WHOLE_FORM: i18n.gettext(exc.detail)}


def posted(form: FormData | None) -> dict[str, str]:
    """The posted text fields (not the CSRF token), to fill the form in again."""
    if form is None:
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


@dataclass
class FormState:
    """Which form of a page is shown again after a refused POST, what was wrong, and what
    was posted; `form` is the form's id (fields are `<form>-<name>`), None for none."""

    form: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def of(self, form: str) -> dict[str, str]:
        """The errors of `form`, empty when another form (or none) was posted."""
        return self.errors if self.form == form else {}

    def value(self, form: str, name: str, default: object = "") -> object:
        """What was posted in `form`'s field, else `default` (the stored value)."""
        if self.form == form and name in self.values:
            return self.values[name]
        return default


NO_FORM = FormState()

#: Renders the form's own page again with a state and an HTTP status.
Rerender = Callable[[Actor, FormState, int], Awaitable[Response]]


def for_page(request: Request, page_path: str) -> None:
    """Say which GET page the answer to this POST belongs to: the language switch of a
    form shown again links there, not to the POST's address (405, or a re-post)."""
    request.state.page_path = safe_next(page_path.split("#", 1)[0], fallback="/")


async def refused(
    request: Request,
    exc: DomainError,
    rerender: Rerender,
    actor: Actor,
    form_id: str,
    form: FormData | None,
    page_path: str,
) -> Response:
    """The form's page again with the problems: 422 for bad input, 403/409 with the message
    in the summary; a missing thing (404), or a page that cannot be drawn, is the error page."""
    if isinstance(exc, NotFound):
        return error_page(request, exc)
    for_page(request, page_path)
    state = FormState(form_id, problems(exc), posted(form))
    try:
        return await rerender(actor, state, exc.status)
    except DomainError:
        return error_page(request, exc)


def bounced(request: Request, exc: DomainError, back: str) -> Response:
    """A refused form of a single button, which has nothing to fill in again: 303 back to
    the page it is on, which then shows the problem once in its summary (server/notice.py).
    A missing thing (404) is the error page: the page it was on may be gone with it."""
    if isinstance(exc, NotFound):
        return error_page(request, exc)
    # Without the fragment: the summary is at the top of the page, not at the button.
    response = RedirectResponse(safe_next(back).split("#", 1)[0], status_code=303)
    messages = [exc.detail, *(e.message for e in exc.errors if e.message != exc.detail)]
    notice.carry(response, request.app.state.settings, messages)
    return response


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
    *,
    form_id: str | None = None,
    rerender: Rerender | None = None,
) -> Response:
    """Run a signed-in form action; unauthenticated people are sent to sign in first.

    With `rerender` (and the form's id) a refused action shows the form's page `back` again
    with the problems next to the fields and in the summary; without (a single button) it
    goes back to `back`, which shows the problem in its summary.
    """
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, back)
    for_page(request, back)
    form: FormData | None = None
    try:
        form = await read_form(request)
        return await perform(actor, form)
    except NotAuthenticated:
        return sign_in_redirect(request, back)
    except DomainError as exc:
        if form is None:
            # Not a refusal of the action: the form itself is unreadable (CSRF, too large).
            return error_page(request, exc)
        if rerender is None or form_id is None:
            # A button that names the page it is on (`next`) goes back there.
            return bounced(request, exc, safe_next(form.get("next"), fallback=back))
        return await refused(request, exc, rerender, actor, form_id, form, back)
