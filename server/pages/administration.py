"""A municipality's administration page: roles, audit log, levels, residents, portal keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.accounts.authorization import roles
from participation.accounts.authorization.actions import MANAGE_ROLES
from participation.accounts.residency import verification as residency
from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotAuthenticated, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities import departments, legal
from participation.municipalities.calendar import STATES
from participation.municipalities.commands import set_verification_levels, update_municipality
from participation.municipalities.models import LEVEL_FIELDS, District, Municipality
from participation.municipalities.queries import local_holidays, municipality_by_slug, place_of
from participation.permissions import Action, Level, Role, may
from server import i18n
from server.auth import actor_of
from server.pages.forms import FormState, error_page, read_form, refused, sign_in_redirect
from server.templating import render
from server.web import Pages

# What the page confirms after a form of it succeeded (`?done=`), as the settings page does.
DONE = ("department-added", "department-renamed", "department-retired", "department-reinstated")


async def _admin_page(
    request: Request,
    actor: Actor,
    municipality: Municipality,
    status: int = 200,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """`section` names the form whose `errors` and `values` are shown again."""
    slug = municipality.slug
    await municipality.load_levels()
    done = request.query_params.get("done")
    return render(
        request,
        "pages/administration.html",
        status=status,
        municipality=municipality,
        done=done if done in DONE and status == 200 else None,
        audit=await roles.audit_log(actor, slug, limit=50),
        keys=await residency.list_portal_keys(actor, slug),
        departments=await departments.list_departments(slug),
        districts=await District.filter(municipality_id=municipality.id).order_by("name"),
        roles=[r.value for r in Role],
        levels=[level.value for level in Level],
        level_fields=LEVEL_FIELDS,
        states={code: i18n.gettext(name) for code, name in STATES.items()},
        holidays=await local_holidays(municipality.id),
        go_live=legal.before_going_live(municipality),
        section=section,
        errors=errors or {},
        values=values or {},
    )


async def municipality_of(request: Request) -> Municipality:
    municipality = await municipality_by_slug(request.path_params["slug"])
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


AdminPage = Callable[[Request, Actor, Municipality], Awaitable[Response]]


def admin_page(action: Action, draw: AdminPage) -> Callable[[Request], Awaitable[Response]]:
    """A page of the administration: for those allowed `action` here, a 404 for the rest
    (that the page exists is no business of theirs), drawn by `draw`."""

    async def handle(request: Request) -> Response:
        actor = await actor_of(request)
        if actor is None:
            return sign_in_redirect(request)
        try:
            municipality = await municipality_of(request)
            if not may(actor, action, await place_of(municipality.id)):
                raise NotFound(Message("This page does not exist."))
            return await draw(request, actor, municipality)
        except DomainError as exc:
            return error_page(request, exc)

    return handle


administration = admin_page(MANAGE_ROLES, _admin_page)


Perform = Callable[[Actor, Municipality, FormData], Awaitable[object]]
# Renders a page of the administration again: status, section, errors, values.
Page = Callable[
    [Request, Actor, Municipality, int, str, dict[str, str], dict[str, str]], Awaitable[Response]
]


def form_action(
    section: str | Callable[[FormData], str],
    perform: Perform,
    page: Page = _admin_page,
    under: str = "",
) -> Callable[[Request], Awaitable[Response]]:
    """Run an admin form; field errors come back on the page next to the form (422).

    Success goes back to /m/{slug}/admin{under}; a perform that returns a word adds it as
    `?done=<word>`, which the page confirms in a banner. `section` may be read from the
    form, for forms repeated once per row.
    """

    async def handle(request: Request) -> Response:
        back = f"/m/{request.path_params['slug']}/admin{under}"
        actor = await actor_of(request)
        if actor is None:
            return sign_in_redirect(request, back)
        try:
            municipality = await municipality_of(request)
            form = await read_form(request)
        except DomainError as exc:
            return error_page(request, exc)
        try:
            done = await perform(actor, municipality, form)
        except NotAuthenticated:
            return sign_in_redirect(request, back)
        except DomainError as exc:
            name = section if isinstance(section, str) else section(form)

            async def again(actor: Actor, state: FormState, status: int) -> Response:
                return await page(
                    request, actor, municipality, status, name, state.errors, state.values
                )

            return await refused(request, exc, again, actor, name, form, back)
        if isinstance(done, str):
            back += f"?done={done}"
        return RedirectResponse(back, status_code=303)

    return handle


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def id_field(form: FormData, name: str) -> int:
    parsed = parse_id(text_field(form, name))
    if parsed is None:
        raise InvalidInput.on(name, Message("Choose an entry from the list."))
    return parsed


async def _levels(actor: Actor, municipality: Municipality, form: FormData) -> None:
    chosen = {name: text_field(form, name) for name in LEVEL_FIELDS if name in form}
    await set_verification_levels(actor, municipality.slug, chosen)


async def _resident(actor: Actor, municipality: Municipality, form: FormData) -> None:
    await residency.verify_resident(
        actor, municipality.slug, text_field(form, "email"), text_field(form, "district") or None
    )


async def _add_key(actor: Actor, municipality: Municipality, form: FormData) -> None:
    await residency.add_portal_key(
        actor, municipality.slug, text_field(form, "name"), text_field(form, "public_key")
    )


async def _revoke_key(actor: Actor, municipality: Municipality, form: FormData) -> None:
    await residency.revoke_portal_key(actor, municipality.slug, id_field(form, "key_id"))


async def _promise(actor: Actor, municipality: Municipality, form: FormData) -> None:
    # Population and time zone are on the settings page, with the rest of the settings.
    names = ("service_promise_days", "state")
    await update_municipality(actor, municipality.slug, {n: text_field(form, n) for n in names})


async def _holidays(municipality: Municipality) -> list[dict[str, object]]:
    return [{"date": h.date, "name": h.name} for h in await local_holidays(municipality.id)]


async def _add_holiday(actor: Actor, municipality: Municipality, form: FormData) -> None:
    added = {"date": text_field(form, "date"), "name": text_field(form, "name")}
    changes = {"local_holidays": [*await _holidays(municipality), added]}
    try:
        await update_municipality(actor, municipality.slug, changes)
    except InvalidInput as exc:
        # The form has a date and a name; the list's errors are the new date's.
        fields = {"local_holidays": "date"}
        exc.errors = [type(e)(fields.get(e.field, e.field), e.message) for e in exc.errors]
        raise


async def _remove_holiday(actor: Actor, municipality: Municipality, form: FormData) -> None:
    gone = text_field(form, "date")
    kept = [h for h in await _holidays(municipality) if str(h["date"]) != gone]
    await update_municipality(actor, municipality.slug, {"local_holidays": kept})


async def _add_department(actor: Actor, municipality: Municipality, form: FormData) -> str:
    await departments.create_department(actor, municipality.slug, text_field(form, "name"))
    return "department-added"


async def _rename_department(actor: Actor, municipality: Municipality, form: FormData) -> str:
    department = await _department_here(municipality, form)
    await departments.rename_department(actor, department, text_field(form, "name"))
    return "department-renamed"


async def _retire_department(actor: Actor, municipality: Municipality, form: FormData) -> str:
    department = await _department_here(municipality, form)
    retired = text_field(form, "retired") != "0"
    await departments.change_department(actor, department, retired=retired)
    return "department-retired" if retired else "department-reinstated"


async def _department_here(municipality: Municipality, form: FormData) -> int:
    """The department the form names, if it is one of this municipality's."""
    department_id = id_field(form, "department_id")
    department = await departments.department_by_id(department_id)
    if department.municipality_id != municipality.id:
        raise NotFound(Message("This department does not exist."))
    return department_id


ROUTES = [
    Route("/m/{slug}/admin", administration, methods=["GET"]),
    Route("/m/{slug}/admin/levels", form_action("levels", _levels), methods=["POST"]),
    Route("/m/{slug}/admin/promise", form_action("promise", _promise), methods=["POST"]),
    Route("/m/{slug}/admin/holidays", form_action("holidays", _add_holiday), methods=["POST"]),
    Route(
        "/m/{slug}/admin/holidays/remove",
        form_action("holidays", _remove_holiday),
        methods=["POST"],
    ),
    Route("/m/{slug}/admin/residents", form_action("residents", _resident), methods=["POST"]),
    Route("/m/{slug}/admin/portal-keys", form_action("keys", _add_key), methods=["POST"]),
    Route("/m/{slug}/admin/portal-keys/revoke", form_action("keys", _revoke_key), methods=["POST"]),
    Route(
        "/m/{slug}/admin/departments",
        form_action("departments", _add_department),
        methods=["POST"],
    ),
    Route(
        "/m/{slug}/admin/departments/rename",
        form_action("rename-department", _rename_department),
        methods=["POST"],
    ),
    Route(
        "/m/{slug}/admin/departments/retire",
        form_action("departments", _retire_department),
        methods=["POST"],
    ),
]

PAGES = Pages(60, ROUTES)
