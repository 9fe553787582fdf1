"""Pages of a municipality's mandates: browse, read, launch, sign, and move along."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from math import ceil
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import Q

from notifications import follows
from notifications.models import FollowSubject
from participation import clock
from participation.accounts.authorization.actions import MANAGE_ROLES
from participation.actors import Actor
from participation.answers import queries as answer_queries
from participation.deliberation.models import SubjectType
from participation.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from participation.files import queries as file_queries
from participation.ids import parse_id
from participation.mandates import commands, lifecycle, permissions, queries, rules
from participation.mandates.actions import LAUNCH_MANDATE, SIGN_MANDATE
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.calendar import STATES
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import Place, Refusal, may, refusal
from participation.timeline.queries import entries
from participation.translations import LOCALES, catalog
from participation.votes import permissions as vote_permissions
from participation.votes import queries as vote_queries
from server import i18n, limits
from server.auth import actor_of
from server.face import face_of
from server.pages import costs, intents, plans, ratings, residence
from server.pages import deliberation as discussion
from server.pages import preferences as notification_preferences
from server.pages.forms import (
    NO_FORM,
    FormState,
    action,
    error_page,
    field_errors,
    for_page,
    read_form,
    sign_in_redirect,
)
from server.templating import render
from server.web import Pages

PAGE_SIZE = 20
# Who a signed-out visitor would be on signing up: what the sign form offers her.
NEWCOMER = Actor(user_id=0, display_name="", email_verified=True)
# Municipalities on one page of the landing page.
HOME_PAGE_SIZE = 50


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def home(request: Request) -> Response:
    """The deployment's landing page: its municipalities a page at a time, searchable, and
    how a mandate works; with only one municipality, that one's page."""
    every = Municipality.all()
    total = await every.count()
    if total == 1:
        only = await every.first()
        assert only is not None
        return RedirectResponse(f"/m/{only.slug}", status_code=303)
    params = request.query_params
    q = " ".join((params.get("q") or "").split())[:100]
    asked = params.get("page") or "1"
    if not parse_id(asked):
        return error_page(
            request, InvalidInput.on("page", Message("The page must be a number from 1 up."))
        )
    found = every.filter(_matching(q)) if q else every
    matches = await found.count() if q else total
    # Past the end (the list shrank, or a search narrowed it) is the last page.
    pages = max(1, ceil(matches / HOME_PAGE_SIZE))
    page = min(int(asked), pages)
    municipalities = (
        await found.order_by("name", "id").offset((page - 1) * HOME_PAGE_SIZE).limit(HOME_PAGE_SIZE)
    )

    def link(number: int) -> str:
        query = {"q": q} if q else {}
        if number > 1:
            query["page"] = str(number)
        return f"/?{urlencode(query)}" if query else "/"

    return render(
        request,
        "pages/home.html",
        found=[(face_of(m), state_name(m.state)) for m in municipalities],
        q=q,
        total=total,
        matches=matches,
        page=page,
        pages=pages,
        previous_page=link(page - 1) if page > 1 else None,
        next_page=link(page + 1) if page < pages else None,
    )


def state_name(code: str | None) -> str | None:
    """A Land's name in the reader's language."""
    return i18n.gettext(STATES[code]) if code in STATES else None


def _matching(q: str) -> Q:
    """By name; digits also by the start of the official key (`09` finds Bavaria's, `09162`
    Munich's); a state's whole name also finds its municipalities."""
    match = Q(name__icontains=q)
    if q.isascii() and q.isdigit():
        match |= Q(official_key__startswith=q)
    wanted = q.casefold()
    if states := [
        code
        for code, name in STATES.items()
        if wanted in {catalog(locale).gettext(name).casefold() for locale in LOCALES}
    ]:
        match |= Q(state__in=states)
    return match


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
            topic=queries.topic_key(params.get("topic") or "") or None,
            q=(params.get("q") or "").strip()[:200] or None,
        )
        # An order the page does not offer is ignored: the list as it comes unasked.
        asked = params.get("sort") or ""
        sort = queries.Sort(asked) if asked in set(queries.Sort) else queries.Sort.COLLECTING
        mandates, cursor = await queries.list_mandates(
            actor, municipality.slug, filters, PAGE_SIZE, params.get("cursor"), sort
        )
        total = await queries.count_mandates(municipality.slug, filters)
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/municipality.html",
        municipality=municipality,
        districts=await District.filter(municipality_id=municipality.id).order_by("name"),
        statuses=[s for s in Status if s in lifecycle.PUBLIC],
        filters=filters,
        sort=sort,
        sorts=list(queries.Sort),
        total=total,
        mandates=mandates,
        next_cursor=cursor,
        administers=may(actor, MANAGE_ROLES, Place(municipality.id)),
        **await _filter_follows(actor, municipality, filters),
    )


async def _filter_follows(
    actor: Actor | None, municipality: Municipality, filters: queries.MandateFilter
) -> dict[str, Any]:
    """Follow buttons for the district and the topic the list is filtered by, if they exist."""
    found: dict[str, Any] = {"district_follow": None, "topic_follow": None}
    if actor is None:
        return found
    if filters.district:
        district = await District.get_or_none(
            municipality_id=municipality.id, slug=filters.district
        )
        if district is not None:
            found["district_follow"] = await notification_preferences.following(
                actor, FollowSubject.DISTRICT, district.id, municipality.id
            ) | {"name": district.name}
    if filters.topic:
        try:
            subject = await follows.resolve(actor, "topic", filters.topic, municipality.slug)
        except DomainError:
            return found
        found["topic_follow"] = await notification_preferences.following(
            actor, FollowSubject.TOPIC, subject.key, municipality.id
        ) | {"name": subject.title}
    return found


async def mandate_page(
    request: Request,
    *,
    status: int = 200,
    answer_forms: dict[str, Any] | None = None,
    form_state: FormState = NO_FORM,
) -> Response:
    """`answer_forms` names the council's answer or assignment form (`section`) whose
    `errors` and `values` are shown again; `form_state` any other form of the page."""
    actor = await actor_of(request)
    try:
        mandate = await commands.get_visible(actor, request.path_params["mandate_id"])
    except DomainError as exc:
        return error_page(request, exc)
    for_page(request, f"/mandates/{mandate.id}")  # its language switch, after a POST too
    view = await queries.mandate_view(actor, mandate)
    timeline = await entries(mandate.id)
    municipality = await Municipality.get(id=mandate.municipality_id)
    moves = lifecycle.moves_from(Status(mandate.status), permissions.movers_for(actor, mandate))
    place = await place_of(mandate.municipality_id)
    asked = request.query_params
    # Back from sign-in with the intent not done: the page says why, the form as it was.
    intent = (
        intents.pending(str(request.url.path) + "?" + request.url.query)
        if actor is not None and not view["signed"]
        else None
    )
    return render(
        request,
        "pages/mandate.html",
        status=status,
        mandate=view,
        residence_offer=await residence.offer(actor or NEWCOMER, place.level(SIGN_MANDATE), place),
        intent=intent,
        signature_values=form_state.values
        if form_state.form == "signature"
        else (intent.choices if intent else {}),
        just_signed=bool(view["signed"]) and asked.get(intents.SIGNED) == "1",
        needs_proof=actor is not None
        and refusal(actor, place.level(SIGN_MANDATE), place) == Refusal.RESIDENCE_NOT_VERIFIED,
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
        answer_section=await answer_queries.answer_section(actor, mandate),
        answer_forms=answer_forms or {"section": None, "errors": {}, "values": {}},
        form_state=form_state,
        **await costs.section_context(actor, mandate),
        attachments=await file_queries.section(actor, mandate),
        plan=await plans.plan_context(actor, mandate),
        ratings=await ratings.section(actor, mandate),
        discussion=await discussion.subject_section(
            request, actor, SubjectType.MANDATE, mandate.id
        ),
        follow=await notification_preferences.following(
            actor, FollowSubject.MANDATE, mandate.id, mandate.municipality_id
        ),
        email_offer=await notification_preferences.email_offer(actor),
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
        districts=await District.filter(
            municipality_id=municipality.id, retired_at__isnull=True
        ).order_by("name"),
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
    if await actor_of(request) is None:
        # The intent goes through sign-in, and sign-in does it (server/pages/intents.py).
        try:
            form = await read_form(request)
        except DomainError:
            return sign_in_redirect(request, _back(request))
        intent = intents.sign_intent(request.path_params["mandate_id"], form)
        return sign_in_redirect(request, intent.path)

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
        # Signing follows the mandate in the inbox; the box adds email for all she follows.
        await notification_preferences.grant_from_form(actor, form)
        return RedirectResponse(_back(request) + "?signed=1#signatures", status_code=303)

    return await action(
        request, perform, _back(request), form_id="signature", rerender=_page_again(request)
    )


async def withdraw(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await commands.withdraw_signature(actor, request.path_params["mandate_id"])
        return RedirectResponse(_back(request) + "#signatures", status_code=303)

    return await action(
        request, perform, _back(request), form_id="signature", rerender=_page_again(request)
    )


def _page_again(request: Request) -> Callable[[Actor, FormState, int], Awaitable[Response]]:
    """The mandate's page again with a refused form's problems: the council's decision, or
    a signature refused (signing closed, a declaration not confirmed) at the sign form."""

    async def again(actor: Actor, state: FormState, status: int) -> Response:
        if state.form == "signature":
            # The domain names the declaration's municipality and district; the form's
            # fields are prefixed, and the municipality is the declaration as a whole.
            names = {"municipality": "residence", "district": residence.DISTRICT_FIELD}
            state.errors = {names.get(k, k): v for k, v in state.errors.items()}
        return await mandate_page(request, status=status, form_state=state)

    return again


async def transition(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await commands.transition_mandate(
            actor,
            request.path_params["mandate_id"],
            str(form.get("to") or ""),
            str(form.get("reason") or ""),
        )
        return RedirectResponse(_back(request), status_code=303)

    return await action(
        request, perform, _back(request), form_id="decision", rerender=_page_again(request)
    )


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
    Route("/mandates/{mandate_id:id}/sign", sign, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/withdraw-signature", withdraw, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/transition", transition, methods=["POST"]),
    Route("/me/mandates", my_mandates),
]

PAGES = Pages(0, ROUTES)
