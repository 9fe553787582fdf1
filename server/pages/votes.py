"""Pages of priority votes: the list, a vote, the ballot, the receipt, receipts, the result."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_currency, format_decimal
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from notifications.models import FollowSubject
from participation.actors import Actor
from participation.deliberation.models import SubjectType
from participation.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from participation.mandates.models import Mandate
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import may
from participation.votes import commands, lifecycle, permissions, queries, secrecy
from participation.votes.actions import CAST_BALLOT, MANAGE_VOTE
from participation.votes.ballots import BUDGETED, RANKING, ballot_cost
from participation.votes.models import Rule, Vote, VoteStatus
from server import i18n, limits
from server.auth import actor_of
from server.pages import deliberation as discussion
from server.pages import preferences as notification_preferences
from server.pages import residence
from server.pages.forms import (
    NO_FORM,
    FormState,
    error_page,
    field_errors,
    for_page,
    sign_in_redirect,
)
from server.pages.vote_forms import read_ballot, read_form
from server.pages.vote_results import shape
from server.templating import render
from server.web import Pages

RECEIPT_COOKIE = "auftrag_receipt"
RECEIPT_SECONDS = 600


def money(cents: float | None) -> str:
    """Cents as the reader's locale writes euros."""
    if cents is None:
        return ""
    return format_currency(cents / 100, "EUR", locale=i18n.current())


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.current())


HELPERS: dict[str, Any] = {"money": money, "number": number}


def kind_of(rule: Rule) -> str:
    """How the ballot asks: approve (checkboxes), rank (selects) or points (numbers)."""
    if rule == Rule.CUMULATIVE:
        return "points"
    return "rank" if rule in RANKING else "approve"


async def _visible(request: Request) -> tuple[Actor | None, Vote]:
    actor = await actor_of(request)
    return actor, await commands.get_visible(actor, request.path_params["vote_id"])


async def _context(actor: Actor | None, vote: Vote) -> dict[str, Any]:
    municipality = await Municipality.get(id=vote.municipality_id)
    mandate = await Mandate.get_or_none(id=vote.mandate_id) if vote.mandate_id else None
    return {
        "vote": await queries.vote_view(actor, vote),
        "municipality": municipality,
        "mandate": mandate,
        "kind": kind_of(Rule(vote.rule)),
        "budgeted": vote.rule in BUDGETED,
        **HELPERS,
    }


async def votes_page(request: Request) -> Response:
    actor = await actor_of(request)
    municipality = await municipality_by_slug(request.path_params["slug"])
    if municipality is None:
        return error_page(request, NotFound(Message("This municipality does not exist.")))
    try:
        votes, cursor = await queries.list_votes(
            actor, municipality, limit=50, cursor=request.query_params.get("cursor")
        )
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/votes.html",
        municipality=municipality,
        votes=votes,
        next_cursor=cursor,
        may_create=may(actor, MANAGE_VOTE, await place_of(municipality.id)),
        **HELPERS,
    )


async def vote_page(request: Request) -> Response:
    try:
        actor, vote = await _visible(request)
    except DomainError as exc:
        return error_page(request, exc)
    return await render_vote_page(request, actor, vote)


async def render_vote_page(
    request: Request,
    actor: Actor | None,
    vote: Vote,
    status: int = 200,
    form_state: FormState = NO_FORM,
) -> Response:
    """The vote's page; `form_state` the refused form of the page shown again."""
    for_page(request, f"/votes/{vote.id}")  # its language switch, after a POST too
    context = await _context(actor, vote)
    place = await permissions.ballot_place(vote)
    eligible = may(actor, CAST_BALLOT, place)
    moves = lifecycle.moves_from(VoteStatus(vote.status), permissions.movers_for(actor, vote))
    return render(
        request,
        "pages/vote.html",
        status=status,
        form_state=form_state,
        eligible=eligible,
        residence_offer=await residence.offer(actor, place.level(CAST_BALLOT), place),
        moves=moves,
        editable=permissions.may_edit(actor, vote),
        discussion=await discussion.subject_section(request, actor, SubjectType.VOTE, vote.id),
        follow=await notification_preferences.following(
            actor, FollowSubject.VOTE, vote.id, vote.municipality_id
        ),
        **context,
    )


# -- the ballot ---------------------------------------------------------------------------------


def _marks(kind: str, choices: Any) -> dict[str, Any]:
    """The ballot as the form shows it: chosen ids, rank per id, or points per id."""
    if choices is None:
        return {}
    if kind == "approve":
        return {str(c): True for c in choices}
    if kind == "rank":
        if isinstance(choices, dict):
            return {str(k): v for k, v in choices.items()}
        return {str(c): n for n, c in enumerate(choices, 1)}
    return {str(k): v for k, v in choices.items()}


async def _render_ballot(
    request: Request,
    actor: Actor,
    vote: Vote,
    marks: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    voted: bool = False,
) -> Response:
    context = await _context(actor, vote)
    options = await queries.choices_of(vote.id)
    spent = 0
    if context["kind"] == "approve":
        spent = ballot_cost(options, [int(k) for k in marks if k.isdigit()])
    return render(
        request,
        "pages/vote_ballot.html",
        status=status,
        marks=marks,
        errors=errors,
        spent=spent,
        voted=voted,
        **context,
    )


async def ballot_form(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        _, vote = await _visible(request)
        if vote.status != VoteStatus.OPEN:
            raise Conflict(Message("This vote is not open for ballots."))
        current = await commands.my_ballot(actor, vote.id)
    except DomainError as exc:
        return error_page(request, exc)
    if not may(actor, CAST_BALLOT, await permissions.ballot_place(vote)):
        # Back from sign-in, or a link: the vote's page says what is missing, or offers it.
        return RedirectResponse(f"/votes/{vote.id}#taking-part", status_code=303)
    marks = _marks(kind_of(Rule(vote.rule)), current)
    return await _render_ballot(request, actor, vote, marks, {}, voted=current is not None)


async def ballot_submit(request: Request) -> Response:
    actor = await actor_of(request)
    back = f"/votes/{request.path_params['vote_id']}/ballot"
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        _, vote = await _visible(request)
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    await limits.check(request, limits.BALLOT, actor.user_id)
    kind = kind_of(Rule(vote.rule))
    try:
        choices = read_ballot(Rule(vote.rule), form)
        cast = await commands.cast_ballot(actor, vote.id, choices)
    except InvalidInput as exc:
        given = read_ballot_loosely(kind, form)
        return await _render_ballot(request, actor, vote, given, field_errors(exc), 422)
    except PermissionDenied as exc:
        if exc.extra.get("reason") not in residence.OFFERED:
            return error_page(request, exc)
        # The vote's page offers the declaration, and leads back to the ballot.
        return RedirectResponse(f"/votes/{vote.id}#taking-part", status_code=303)
    except DomainError as exc:
        return error_page(request, exc)
    target = f"/votes/{vote.id}/receipt" + ("" if cast.created else "?replaced=1")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        RECEIPT_COOKIE,
        cast.receipt,
        max_age=RECEIPT_SECONDS,
        path=f"/votes/{vote.id}/receipt",
        secure=request.app.state.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


def read_ballot_loosely(kind: str, form: Any) -> dict[str, Any]:
    """What the person entered, to show again with the errors, even if it is wrong."""
    if kind == "approve":
        return {str(v): True for v in form.getlist("choice")}
    prefix = "rank_" if kind == "rank" else "points_"
    return {
        key.removeprefix(prefix): value
        for key, value in form.multi_items()
        if key.startswith(prefix) and isinstance(value, str) and value.strip()
    }


async def receipt_page(request: Request) -> Response:
    """The receipt code, shown once: the cookie that carried it here is deleted."""
    try:
        actor, vote = await _visible(request)
    except DomainError as exc:
        return error_page(request, exc)
    code = request.cookies.get(RECEIPT_COOKIE)
    if code is not None and secrecy.normalise_receipt(code) is None:
        code = None
    response = render(
        request,
        "pages/vote_receipt.html",
        receipt=code,
        replaced=request.query_params.get("replaced") == "1",
        **await _context(actor, vote),
    )
    response.delete_cookie(RECEIPT_COOKIE, path=f"/votes/{vote.id}/receipt")
    return response


# -- receipts and result --------------------------------------------------------------------------


async def receipts_page(request: Request) -> Response:
    try:
        actor, vote = await _visible(request)
    except DomainError as exc:
        return error_page(request, exc)
    return await _render_receipts(request, actor, vote, None, {})


async def _render_receipts(
    request: Request,
    actor: Actor | None,
    vote: Vote,
    check: dict[str, Any] | None,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        request,
        "pages/vote_receipts.html",
        status=status,
        published_receipts=vote.status in lifecycle.COUNTED,
        check=check,
        errors=errors,
        **await _context(actor, vote),
    )


async def receipts_check(request: Request) -> Response:
    """The no-JavaScript check: the server hashes the code and looks the digest up."""
    try:
        actor, vote = await _visible(request)
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    if vote.status not in lifecycle.COUNTED:
        return error_page(
            request, Conflict(Message("Receipts are published when the vote closes."))
        )
    code = str(form.get("receipt") or "")
    if secrecy.normalise_receipt(code) is None:
        message = i18n.gettext(
            Message(
                "This is not a receipt code: it has %(length)s letters and digits.",
                length=secrecy.RECEIPT_LENGTH,
            )
        )
        return await _render_receipts(request, actor, vote, None, {"receipt": message}, 422)
    digest = secrecy.receipt_digest(code)
    check = {"digest": digest, "counted": await queries.counted(vote.id, digest)}
    return await _render_receipts(request, actor, vote, check, {})


async def receipts_text(request: Request) -> Response:
    """Every receipt digest, one per line, for anyone to count and search."""
    try:
        _, vote = await _visible(request)
    except DomainError as exc:
        return error_page(request, exc)
    if vote.status not in lifecycle.COUNTED:
        return error_page(
            request, Conflict(Message("Receipts are published when the vote closes."))
        )
    digests: list[str] = []
    while True:
        page = await queries.receipts(vote.id, digests[-1] if digests else None, 10_000)
        digests.extend(page)
        if len(page) < 10_000:
            break
    return PlainTextResponse(
        "".join(d + "\n" for d in digests),
        headers={"Content-Disposition": f'inline; filename="vote-{vote.id}-receipts.txt"'},
    )


async def result_page(request: Request) -> Response:
    try:
        actor, vote = await _visible(request)
        if vote.status != VoteStatus.PUBLISHED or vote.result is None:
            raise Conflict(Message("The result is published after the vote closes."))
    except DomainError as exc:
        return error_page(request, exc)
    result = vote.result
    options = await queries.options_of(vote.id)
    return render(
        request,
        "pages/vote_result.html",
        result=result,
        shaped=shape(Rule(vote.rule), result, options),
        options={str(o.id): o for o in options},
        **await _context(actor, vote),
    )


ROUTES = [
    Route("/m/{slug}/votes", votes_page),
    Route("/votes/{vote_id:id}", vote_page),
    Route("/votes/{vote_id:id}/ballot", ballot_form, methods=["GET"]),
    Route("/votes/{vote_id:id}/ballot", ballot_submit, methods=["POST"]),
    Route("/votes/{vote_id:id}/receipt", receipt_page),
    Route("/votes/{vote_id:id}/receipts", receipts_page, methods=["GET"]),
    Route("/votes/{vote_id:id}/receipts", receipts_check, methods=["POST"]),
    Route("/votes/{vote_id:id}/receipts.txt", receipts_text),
    Route("/votes/{vote_id:id}/result", result_page),
]

PAGES = Pages(10, ROUTES)
