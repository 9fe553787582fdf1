"""A municipality's face and legal pages: its theme stylesheet and crest, the
administrators' appearance page, and the Impressum, data protection contact and
accessibility statement (with its barrier feedback form) linked from every footer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation import text
from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotAuthenticated, NotFound
from participation.files import crest, storage
from participation.messages import Message
from participation.municipalities import face, legal
from participation.municipalities.actions import CONFIGURE_MUNICIPALITY
from participation.municipalities.models import BarrierReport, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import require
from server import i18n, limits, uploads
from server.auth import actor_of
from server.body_limit import BodyTooLarge
from server.csrf import CSRF_FIELD, check_csrf
from server.pages.forms import error_page, field_errors, read_form, sign_in_redirect
from server.templating import render
from server.web import Pages

FOREVER = "public, max-age=31536000, immutable"
CREST_FIELDS = frozenset({"file", CSRF_FIELD})
TEXT_FIELDS = ("primary_color", "welcome_text", *legal.CLEANERS)
FEEDBACK_FIELDS = ("name", "email", "description")
REPORTS_SHOWN = 50


async def _municipality(request: Request) -> Municipality:
    municipality = await municipality_by_slug(request.path_params["slug"])
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


def _ratio(color: str) -> Message:
    """The current colour's contrast with white, in the reader's notation."""
    return Message("%(ratio)s:1", ratio=face.ratio_shown(face.contrast(color, face.WHITE)))


def _darker(color: str, factor: float = 0.8) -> str:
    r, g, b = (int(int(color[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


async def theme(request: Request) -> Response:
    """The municipality's colour as CSS variables: the CSP allows no inline styles."""
    municipality = await municipality_by_slug(request.path_params["slug"])
    color = municipality.primary_color if municipality else None
    body = f":root {{ --brand: {color}; --brand-dark: {_darker(color)}; }}\n" if color else ""
    versioned = color is not None and request.query_params.get("v") == color[1:]
    return Response(
        body,
        media_type="text/css",
        headers={
            "Cache-Control": FOREVER if versioned else "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def coat_of_arms(request: Request) -> Response:
    """The crest under an address that holds its content key: cached forever."""
    municipality = await municipality_by_slug(request.path_params["slug"])
    key = municipality.coat_of_arms_key if municipality else None
    if municipality is None or key is None or not key.startswith(request.path_params["version"]):
        return Response(status_code=404, headers={"X-Content-Type-Options": "nosniff"})
    try:
        with storage.current().open(key) as stored:
            content = stored.read()
    except FileNotFoundError:
        return Response(status_code=404, headers={"X-Content-Type-Options": "nosniff"})
    return Response(
        content,
        media_type=municipality.coat_of_arms_type or "application/octet-stream",
        headers={
            "Cache-Control": FOREVER,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def _values(municipality: Municipality) -> dict[str, str]:
    values = {name: getattr(municipality, name) for name in TEXT_FIELDS}
    return {name: "" if value is None else str(value) for name, value in values.items()}


async def _admin(request: Request) -> tuple[Actor, Municipality]:
    actor = await actor_of(request)
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    municipality = await _municipality(request)
    require(actor, CONFIGURE_MUNICIPALITY, await place_of(municipality.id))
    return actor, municipality


async def _appearance(
    request: Request,
    municipality: Municipality,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    crest_errors: dict[str, str] | None = None,
    saved: bool = False,
) -> Response:
    reports = await (
        BarrierReport.filter(municipality_id=municipality.id)
        .order_by("-created_at", "-id")
        .limit(REPORTS_SHOWN)
    )
    color = municipality.primary_color
    return render(
        request,
        "pages/appearance.html",
        status=status,
        municipality=municipality,
        values=values if values is not None else _values(municipality),
        errors=errors or {},
        crest_errors=crest_errors or {},
        crest_url=face.crest_url(municipality),
        ratio=i18n.gettext(_ratio(color)) if color else None,
        statuses=list(legal.Conformity),
        reports=reports,
        saved=saved or request.query_params.get("saved") == "1",
    )


async def appearance_page(request: Request) -> Response:
    try:
        _, municipality = await _admin(request)
    except NotAuthenticated:
        return sign_in_redirect(request)
    except DomainError as exc:
        return error_page(request, exc)
    return await _appearance(request, municipality)


def _saved(municipality: Municipality) -> Response:
    return RedirectResponse(f"/m/{municipality.slug}/admin/appearance?saved=1", status_code=303)


async def appearance_submit(request: Request) -> Response:
    try:
        actor, municipality = await _admin(request)
        form = await read_form(request)
    except NotAuthenticated:
        return sign_in_redirect(request)
    except DomainError as exc:
        return error_page(request, exc)
    values = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    try:
        await face.update_face(actor, municipality.slug, values)
    except InvalidInput as exc:
        return await _appearance(
            request, municipality, 422, values=values, errors=field_errors(exc)
        )
    except DomainError as exc:
        return error_page(request, exc)
    return _saved(municipality)


def _crest_errors(exc: DomainError) -> dict[str, str]:
    return {
        crest.CREST_FIELD if e.field == "file" else e.field: i18n.gettext(e.message)
        for e in exc.errors
    } or {crest.CREST_FIELD: i18n.gettext(exc.detail)}


async def crest_submit(request: Request) -> Response:
    try:
        actor, municipality = await _admin(request)
    except NotAuthenticated:
        return sign_in_redirect(request)
    except DomainError as exc:
        return error_page(request, exc)
    try:
        try:
            async with uploads.read_upload(request, CREST_FIELDS) as received:
                check_csrf(request, received.form.get(CSRF_FIELD))
                await crest.set_coat_of_arms(actor, municipality.slug, received.file)
        except BodyTooLarge:
            # Nothing of the form was read, its token neither; nothing is stored either.
            raise crest.too_large() from None
    except (InvalidInput, crest.CrestTooLarge) as exc:
        return await _appearance(request, municipality, exc.status, crest_errors=_crest_errors(exc))
    except DomainError as exc:
        return error_page(request, exc)
    return _saved(municipality)


async def crest_remove(request: Request) -> Response:
    try:
        actor, municipality = await _admin(request)
        await read_form(request)
        await crest.remove_coat_of_arms(actor, municipality.slug)
    except NotAuthenticated:
        return sign_in_redirect(request)
    except DomainError as exc:
        return error_page(request, exc)
    return _saved(municipality)


async def _markdown(value: str | None, field: str) -> str | None:
    """A legal text as HTML through the one safe renderer; None when it was never written."""
    if not value:
        return None
    try:
        return await text.render(value, field)
    except InvalidInput:
        return None


def _contact(municipality: Municipality) -> dict[str, str]:
    return {
        "email": municipality.contact_email,
        "phone": municipality.contact_phone,
        "address": municipality.contact_address,
    }


async def impressum(request: Request) -> Response:
    try:
        municipality = await _municipality(request)
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/impressum.html",
        municipality=municipality,
        contact=_contact(municipality),
        text_html=await _markdown(municipality.impressum_text, "impressum_text"),
    )


async def privacy_contact(request: Request) -> Response:
    try:
        municipality = await _municipality(request)
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/privacy_contact.html",
        municipality=municipality,
        contact=_contact(municipality),
        text_html=await _markdown(municipality.privacy_contact_text, "privacy_contact_text"),
    )


async def _statement(
    request: Request,
    municipality: Municipality,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "pages/accessibility.html",
        status=status,
        municipality=municipality,
        # None until the administrators say: never a status they did not state.
        conformity=municipality.accessibility_status,
        contact=_contact(municipality),
        barriers=legal.barriers(municipality),
        reviewed_on=municipality.accessibility_reviewed_on,
        enforcement_html=await _markdown(
            municipality.enforcement_body_text, "enforcement_body_text"
        ),
        values=values or {},
        errors=errors or {},
        sent=request.query_params.get("sent") == "1",
    )


async def accessibility(request: Request) -> Response:
    try:
        municipality = await _municipality(request)
    except DomainError as exc:
        return error_page(request, exc)
    return await _statement(request, municipality)


async def report_barrier(request: Request) -> Response:
    try:
        municipality = await _municipality(request)
        form = await read_form(request)
        await limits.check(request, limits.FEEDBACK)
    except DomainError as exc:
        return error_page(request, exc)
    values = {name: str(form.get(name) or "") for name in FEEDBACK_FIELDS}
    try:
        await legal.report_barrier(
            await actor_of(request),
            municipality.slug,
            values["description"],
            name=values["name"],
            email=values["email"],
            page=str(request.headers.get("referer") or "")[:500],
        )
    except InvalidInput as exc:
        return await _statement(request, municipality, 422, values, field_errors(exc))
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(
        f"/m/{municipality.slug}/accessibility?sent=1#feedback", status_code=303
    )


ROUTES = [
    Route("/m/{slug}/theme.css", theme, methods=["GET"]),
    Route("/m/{slug}/coat-of-arms/{version}", coat_of_arms, methods=["GET"]),
    Route("/m/{slug}/admin/appearance", appearance_page, methods=["GET"]),
    Route("/m/{slug}/admin/appearance", appearance_submit, methods=["POST"]),
    Route("/m/{slug}/admin/appearance/coat-of-arms", crest_submit, methods=["POST"]),
    Route("/m/{slug}/admin/appearance/coat-of-arms/remove", crest_remove, methods=["POST"]),
    Route("/m/{slug}/impressum", impressum, methods=["GET"]),
    Route("/m/{slug}/privacy-contact", privacy_contact, methods=["GET"]),
    Route("/m/{slug}/accessibility", accessibility, methods=["GET"]),
    Route("/m/{slug}/accessibility", report_barrier, methods=["POST"]),
]

PAGES = Pages(12, ROUTES)
