"""Council pages of votes: prepare a vote, edit its draft, and move it along."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotFound
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import Level, may, require
from participation.votes import ballots, commands, drafts, permissions, queries
from participation.votes.actions import CAST_BALLOT, MANAGE_VOTE, PROPOSE_VOTE
from participation.votes.models import Rule, Vote
from server.auth import actor_of
from server.pages.forms import FormState, action, error_page, field_errors, sign_in_redirect
from server.pages.vote_forms import (
    EXTRA_ROWS,
    MIN_ROWS,
    cents_to_euros,
    form_field,
    local_input,
    read_form,
    read_vote,
    vote_values,
)
from server.pages.votes import render_vote_page
from server.templating import render
from server.web import Pages


def _values_of(vote: Vote, options: list[dict[str, object]], district: str | None) -> dict:
    values: dict[str, object] = {
        "title": vote.title,
        "description": vote.description,
        "rule": vote.rule,
        "max_choices": vote.max_choices or "",
        "points_total": vote.points_total or "",
        "points_max_per_option": vote.points_max_per_option or "",
        "budget": cents_to_euros(vote.budget_cents),
        "limit_ballot_cost": "1" if vote.limit_ballot_cost else "",
        "min_votes": vote.min_votes or "",
        "district": district or "",
        "eligibility_level": vote.eligibility_level,
        "opens_at": local_input(vote.opens_at),
        "closes_at": local_input(vote.closes_at),
        "min_turnout": vote.min_turnout,
    }
    for n, option in enumerate(options):
        values[f"option_title_{n}"] = option["title"]
        values[f"option_description_{n}"] = option["description"]
        values[f"option_cost_{n}"] = cents_to_euros(option["cost_cents"])  # type: ignore[arg-type]
    return values


def _rows(values: dict) -> int:
    filled = [
        int(key.rsplit("_", 1)[1])
        for key, value in values.items()
        if key.startswith("option_") and key.rsplit("_", 1)[1].isdigit() and value
    ]
    return min(max(max(filled, default=-1) + 1 + EXTRA_ROWS, MIN_ROWS), ballots.OPTIONS_MAX)


async def _render_form(
    request: Request,
    municipality: Municipality,
    target: str,
    values: dict,
    errors: dict[str, str],
    status: int = 200,
    mandate: Mandate | None = None,
    vote_id: int | None = None,
) -> Response:
    return render(
        request,
        "pages/vote_form.html",
        status=status,
        municipality=municipality,
        mandate=mandate,
        vote_id=vote_id,
        target=target,
        districts=await District.filter(
            municipality_id=municipality.id, retired_at__isnull=True
        ).order_by("name"),
        rules=list(Rule),
        levels=list(Level),
        values=values,
        errors=errors,
        rows=_rows(values),
        limits={"title": ballots.TITLE_MAX, "description": ballots.DESCRIPTION_MAX},
    )


async def _defaults(municipality: Municipality) -> dict:
    level = (await place_of(municipality.id)).level(CAST_BALLOT)
    return {"rule": Rule.APPROVAL.value, "limit_ballot_cost": "1",
            "eligibility_level": level, "min_turnout": 0}  # fmt: skip


async def _home(request: Request, actor: Actor) -> tuple[Municipality, Mandate | None]:
    """Where the new vote goes, if `actor` may prepare one there."""
    if "slug" in request.path_params:
        municipality = await municipality_by_slug(request.path_params["slug"])
        if municipality is None:
            raise NotFound(Message("This municipality does not exist."))
        require(actor, MANAGE_VOTE, await place_of(municipality.id))
        return municipality, None
    mandate = await Mandate.get_or_none(id=request.path_params["mandate_id"])
    if mandate is None or mandate.status == Status.DRAFT:
        raise NotFound(Message("This mandate does not exist."))
    place = await place_of(mandate.municipality_id)
    if not may(actor, MANAGE_VOTE, place):
        require(actor, PROPOSE_VOTE, place, owner_id=mandate.initiator_id)
    return await Municipality.get(id=mandate.municipality_id), mandate


async def new_form(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        municipality, mandate = await _home(request, actor)
    except DomainError as exc:
        return error_page(request, exc)
    return await _render_form(
        request, municipality, request.url.path, await _defaults(municipality), {}, mandate=mandate
    )


def _errors(exc: InvalidInput, rows: list[int]) -> dict[str, str]:
    return {form_field(field, rows): message for field, message in field_errors(exc).items()}


async def new_submit(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, request.url.path)
    try:
        municipality, mandate = await _home(request, actor)
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    read = read_vote(form)
    try:
        if read.problems:
            raise InvalidInput(Message("The vote has invalid fields."))
        vote = await commands.create_vote(
            actor,
            read.draft,
            read.options,
            municipality_slug=None if mandate else municipality.slug,
            mandate_id=mandate.id if mandate else None,
        )
    except InvalidInput as exc:
        errors = _errors(exc, read.rows) | read.problems
        return await _render_form(
            request, municipality, request.url.path, vote_values(form), errors, 422, mandate
        )
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"/votes/{vote.id}", status_code=303)


async def edit_form(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        vote = await commands.get_visible(actor, request.path_params["vote_id"])
        if not permissions.may_edit(actor, vote):
            raise NotFound(Message("Only a draft can be changed."))
    except DomainError as exc:
        return error_page(request, exc)
    view = await queries.vote_view(actor, vote)
    district = view["district"]["slug"] if view["district"] else None
    municipality = await Municipality.get(id=vote.municipality_id)
    return await _render_form(
        request,
        municipality,
        request.url.path,
        _values_of(vote, view["options"], district),
        {},
        vote_id=vote.id,
    )


async def edit_submit(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, request.url.path)
    vote_id = request.path_params["vote_id"]
    try:
        vote = await commands.get_visible(actor, vote_id)
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    read = read_vote(form)
    municipality = await Municipality.get(id=vote.municipality_id)
    try:
        if read.problems:
            raise InvalidInput(Message("The vote has invalid fields."))
        changes = {k: getattr(read.draft, k) for k in drafts.DRAFT_FIELDS}
        await commands.update_vote(actor, vote_id, changes, read.options)
    except InvalidInput as exc:
        errors = _errors(exc, read.rows) | read.problems
        return await _render_form(
            request, municipality, request.url.path, vote_values(form), errors, 422,
            vote_id=vote_id,
        )  # fmt: skip
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"/votes/{vote_id}", status_code=303)


async def transition(request: Request) -> Response:
    vote_id = request.path_params["vote_id"]
    back = f"/votes/{vote_id}"

    async def perform(actor: Actor, form: FormData) -> Response:
        await commands.transition_vote(
            actor, vote_id, str(form.get("to") or ""), str(form.get("reason") or "")
        )
        return RedirectResponse(back, status_code=303)

    async def again(actor: Actor, state: FormState, status: int) -> Response:
        vote = await commands.get_visible(actor, vote_id)
        return await render_vote_page(request, actor, vote, status, state)

    return await action(request, perform, back, form_id="step", rerender=again)


ROUTES = [
    Route("/m/{slug}/votes/new", new_form, methods=["GET"]),
    Route("/m/{slug}/votes/new", new_submit, methods=["POST"]),
    Route("/mandates/{mandate_id:id}/votes/new", new_form, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/votes/new", new_submit, methods=["POST"]),
    Route("/votes/{vote_id:id}/edit", edit_form, methods=["GET"]),
    Route("/votes/{vote_id:id}/edit", edit_submit, methods=["POST"]),
    Route("/votes/{vote_id:id}/transition", transition, methods=["POST"]),
]

PAGES = Pages(20, ROUTES)
