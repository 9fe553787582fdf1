"""A municipality's settings page: its name, districts, quorum, signature period,
population, time zone, contact and open-data licence, as PATCH
/api/v1/municipalities/{slug} changes them."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities import legal
from participation.municipalities.actions import CONFIGURE_MUNICIPALITY
from participation.municipalities.commands import update_municipality
from participation.municipalities.licences import LICENCES
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import place_of
from participation.permissions import may
from server.pages.administration import admin_page, form_action, text_field
from server.templating import render
from server.web import Pages

GENERAL = (
    "name",
    "default_quorum",
    "signature_period_days",
    "population",
    "time_zone",
    "contact_email",
    "contact_phone",
    "contact_address",
)
DONE = ("saved", "added", "renamed", "retired", "reinstated")


async def _settings_page(
    request: Request,
    actor: Actor,
    municipality: Municipality,
    status: int = 200,
    section: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    # Drawn again after a refused POST too, which no GET check guarded.
    if not may(actor, CONFIGURE_MUNICIPALITY, await place_of(municipality.id)):
        raise NotFound(Message("This page does not exist."))
    done = request.query_params.get("done")
    await municipality.refresh_from_db()
    return render(
        request,
        "pages/settings.html",
        status=status,
        municipality=municipality,
        districts=await District.filter(municipality_id=municipality.id).order_by("name"),
        licences=list(LICENCES.values()),
        go_live=legal.before_going_live(municipality),
        done=done if done in DONE and status == 200 else None,
        section=section,
        errors=errors or {},
        values=values or {},
    )


settings_page = admin_page(CONFIGURE_MUNICIPALITY, _settings_page)


async def _change(
    actor: Actor, municipality: Municipality, changes: dict[str, object], field: str
) -> None:
    """One district change; its list field's errors belong to the form's `field`."""
    try:
        await update_municipality(actor, municipality.slug, changes)
    except InvalidInput as exc:
        exc.errors = [FieldError(field, e.message) for e in exc.errors]
        raise


async def _general(actor: Actor, municipality: Municipality, form: FormData) -> str:
    changes = {n: text_field(form, n) for n in GENERAL}
    # A form drawn before the licence was offered does not send it: the choice stays.
    if "open_data_licence" in form:
        changes["open_data_licence"] = text_field(form, "open_data_licence")
    await update_municipality(actor, municipality.slug, changes)
    return "saved"


async def _add(actor: Actor, municipality: Municipality, form: FormData) -> str:
    await _change(actor, municipality, {"add_districts": [text_field(form, "name")]}, "name")
    return "added"


async def _rename(actor: Actor, municipality: Municipality, form: FormData) -> str:
    renamed = {"slug": text_field(form, "slug"), "name": text_field(form, "name")}
    await _change(actor, municipality, {"rename_districts": [renamed]}, "name")
    return "renamed"


async def _retire(actor: Actor, municipality: Municipality, form: FormData) -> str:
    retiring = text_field(form, "retired") != "0"
    key = "retire_districts" if retiring else "reinstate_districts"
    await _change(actor, municipality, {key: [text_field(form, "slug")]}, "name")
    return "retired" if retiring else "reinstated"


def _district_form(form: FormData) -> str:
    """The rename form of one district: its errors come back next to that form."""
    return f"district-{text_field(form, 'slug')}"


ROUTES = [
    Route("/m/{slug}/admin/settings", settings_page, methods=["GET"]),
    Route(
        "/m/{slug}/admin/settings",
        form_action("settings", _general, _settings_page, "/settings"),
        methods=["POST"],
    ),
    Route(
        "/m/{slug}/admin/settings/districts",
        form_action("districts", _add, _settings_page, "/settings"),
        methods=["POST"],
    ),
    Route(
        "/m/{slug}/admin/settings/districts/rename",
        form_action(_district_form, _rename, _settings_page, "/settings"),
        methods=["POST"],
    ),
    Route(
        "/m/{slug}/admin/settings/districts/retire",
        form_action(_district_form, _retire, _settings_page, "/settings"),
        methods=["POST"],
    ),
]

PAGES = Pages(58, ROUTES)
