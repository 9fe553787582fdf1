"""Pages of a municipality's mandates: browse, read, launch, sign, and move along."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from participation import clock
from participation.accounts.authorization.actions import MANAGE_ROLES
from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from participation.ids import BIGINT_MAX, parse_id
from participation.mandates import commands, lifecycle, permissions, queries, rules
from participation.mandates.actions import LAUNCH_MANDATE, SIGN_MANDATE
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import Place, may
from participation.timeline.queries import entries
from participation.votes import permissions as vote_permissions
from participation.votes import queries as vote_queries
from server import i18n, limits
from server.auth import actor_of
from server.pages import residence
from server.pages.forms import action, error_page, field_errors, read_form, sign_in_redirect
from server.templating import render, render_text
from server.web import Pages

PAGE_SIZE = 20


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def home(request: Request) -> Response:
    municipalities = await Municipality.all().order_by("name")
    if len(municipalities) == 1:
        return RedirectResponse(f"/m/{municipalities[0].slug}", status_code=307)
    return render(request, "pages/home.html", municipalities=municipalities)


async def municipality_page(request: Request) -> Response:
    actor = await actor_of(request)
    params = request.query_params
    try:
        municipality = await _municipality(request.path_params["slug"])
        status = params.get("status") or None
        if status is not None and status not in {s.value for s in lifecycle.PUBLIC}:
            raise InvalidInput.on("status", Message("Unknown status."))
        filters = queries.MandateFilter(
            status=Status(status) if status else None,
            district=params.get("district") or None,
            topic=params.get("topic") or None,
            q=(params.get("q") or "").strip()[:200] or None,
        )
        mandates, cursor = await queries.list_mandates(
            actor, municipality.slug, filters, PAGE_SIZE, params.get("cursor")
        )
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/municipality.html",
        municipality=municipality,
        districts=await District.filter(municipality_id=municipality.id).order_by("name"),
        statuses=[s for s in Status if s in lifecycle.PUBLIC],
        filters=filters,
        mandates=mandates,
        next_cursor=cursor,
        administers=may(actor, MANAGE_ROLES, Place(municipality.id)),
    )


async def mandate_page(request: Request) -> Response:
    actor = await actor_of(request)
    try:
        mandate = await commands.get_visible(actor, request.path_params["mandate_id"])
    except DomainError as exc:
        return error_page(request, exc)
    view = await queries.mandate_view(actor, mandate)
    timeline = await entries(mandate.id)
    municipality = await Municipality.get(id=mandate.municipality_id)
    moves = lifecycle.moves_from(Status(mandate.status), permissions.movers_for(actor, mandate))
    place = await place_of(mandate.municipality_id)
    return render(
        request,
        "pages/mandate.html",
        mandate=view,
        residence_offer=await residence.offer(actor, place.level(SIGN_MANDATE), place),
        municipality=municipality,
        timeline=timeline,
        last_entry_id=timeline[-1]["id"] if timeline else 0,
        signable=rules.open_for_signatures(Status(mandate.status), mandate.closes_at, clock.now()),
        withdrawable=mandate.status in rules.WITHDRAWABLE_SIGNATURE
        and actor is not None
        and actor.user_id != mandate.initiator_id,
        council_moves=[t for t in moves if t.mover == lifecycle.Mover.COUNCIL],
        initiator_moves=[t for t in moves if t.mover == lifecycle.Mover.INITIATOR],
        votes=(await vote_queries.list_votes(actor, municipality, mandate_id=mandate.id))[0],
        may_propose_vote=vote_permissions.may_propose_on(actor, mandate),
    )


async def timeline_fragment(request: Request) -> Response:
    """New timeline entries as HTML, rendered in the reader's language for the live script."""
    actor = await actor_of(request)
    after = parse_id(request.query_params.get("after") or "0", BIGINT_MAX)
    try:
        mandate = await commands.get_visible(actor, request.path_params["mandate_id"])
    except DomainError:
        after = None
    if after is None:
        return JSONResponse({"entries": "", "status": None}, status_code=404)
    new = await entries(mandate.id, after=after)
    html = "".join(render_text("partials/timeline_entry.html", e=e) for e in new)
    return JSONResponse(
        {
            "entries": html,
            "last_id": new[-1]["id"] if new else after,
            "status": mandate.status,
            "status_badge": render_text("partials/status_badge.html", status=mandate.status),
        }
    )


async def launch_form(request: Request) -> Response:
    slug = request.path_params["slug"]
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        municipality = await _municipality(slug)
    except DomainError as exc:
        return error_page(request, exc)
    return await _render_launch(request, actor, municipality, {}, {})


async def _render_launch(
    request: Request,
    actor: Actor,
    municipality: Municipality,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    place = await place_of(municipality.id)
    return render(
        request,
        "pages/launch.html",
        status=status,
        municipality=municipality,
        residence_offer=await residence.offer(actor, place.level(LAUNCH_MANDATE), place),
        districts=await District.filter(municipality_id=municipality.id).order_by("name"),
        values=values,
        errors=errors,
        limits={
            "title": rules.TITLE_MAX,
            "summary": rules.SUMMARY_MAX,
            "body": rules.BODY_MAX,
        },
    )


async def launch_submit(request: Request) -> Response:
    slug = request.path_params["slug"]
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, f"/m/{slug}/launch")
    try:
        municipality = await _municipality(slug)
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    await limits.check(request, limits.LAUNCH, actor.user_id)
    values = {k: str(form.get(k) or "") for k in ("title", "summary", "body", "district", "topics")}
    try:
        actor = await residence.declare_from_form(actor, form)
        mandate = await commands.launch_mandate(
            actor,
            slug,
            title=values["title"],
            summary=values["summary"],
            body=values["body"],
            district=values["district"] or None,
            topics=[t for t in values["topics"].split(",") if t.strip()],
        )
    except InvalidInput as exc:
        return await _render_launch(request, actor, municipality, values, field_errors(exc), 422)
    except PermissionDenied as exc:
        if exc.extra.get("reason") not in residence.OFFERED:
            return error_page(request, exc)
        errors = {"residence": i18n.gettext(exc.detail)}
        return await _render_launch(request, actor, municipality, values, errors, 403)
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"/mandates/{mandate.id}", status_code=303)


def _back(request: Request) -> str:
    return f"/mandates/{request.path_params['mandate_id']}"


async def sign(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await limits.check(request, limits.COSIGN, actor.user_id)
        actor = await residence.declare_from_form(actor, form)
        try:
            await commands.sign_mandate(actor, request.path_params["mandate_id"])
        except PermissionDenied as exc:
            if exc.extra.get("reason") not in residence.OFFERED:
                raise
            # The mandate's page offers the declaration right next to the button.
        return RedirectResponse(_back(request) + "#signatures", status_code=303)

    return await action(request, perform, _back(request))


async def withdraw(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await commands.withdraw_signature(actor, request.path_params["mandate_id"])
        return RedirectResponse(_back(request) + "#signatures", status_code=303)

    return await action(request, perform, _back(request))


async def transition(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await commands.transition_mandate(
            actor,
            request.path_params["mandate_id"],
            str(form.get("to") or ""),
            str(form.get("reason") or ""),
        )
        return RedirectResponse(_back(request), status_code=303)

    return await action(request, perform, _back(request))


async def my_mandates(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    launched, _ = await queries.list_mandates(
        actor, None, queries.MandateFilter(initiator_id=actor.user_id), 100
    )
    signed_ids = await queries.signed_mandate_ids(actor, 100)
    signed = await queries.views_of(actor, await Mandate.filter(id__in=signed_ids).order_by("-id"))
    return render(request, "pages/my_mandates.html", launched=launched, signed=signed)


ROUTES = [
    Route("/", home),
    Route("/m/{slug}", municipality_page),
    Route("/m/{slug}/launch", launch_form, methods=["GET"]),
    Route("/m/{slug}/launch", launch_submit, methods=["POST"]),
    Route("/mandates/{mandate_id:id}", mandate_page),
    Route("/mandates/{mandate_id:id}/timeline-entries", timeline_fragment),
    Route("/mandates/{mandate_id:id}/sign", sign, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/withdraw-signature", withdraw, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/transition", transition, methods=["POST"]),
    Route("/me/mandates", my_mandates),
]

PAGES = Pages(0, ROUTES)
