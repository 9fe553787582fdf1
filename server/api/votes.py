"""Priority votes: prepare, move along, cast ballots, check receipts, read results."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities.queries import municipality_by_slug
from participation.votes import commands, lifecycle, queries, secrecy
from participation.votes.drafts import OptionDraft, VoteDraft
from participation.votes.models import Vote, VoteStatus
from server import limits
from server.api.endpoint import Registry
from server.api.vote_schemas import (
    BallotIn,
    BallotOut,
    MyBallotOut,
    OptionIn,
    OptionsIn,
    ReceiptList,
    ReceiptQuery,
    ResultOut,
    VoteIn,
    VoteList,
    VoteOut,
    VotePatch,
    VoteQuery,
    VoteTransitionIn,
)
from server.auth import actor_of, require_actor

api = Registry(order=90)


async def _json(actor: Actor | None, vote: Vote, status: int = 200) -> JSONResponse:
    view = await queries.vote_view(actor, vote)
    if vote.status == VoteStatus.PUBLISHED and vote.result is not None:
        view["result"] = {"vote_id": vote.id, **vote.result}
    return JSONResponse(VoteOut.model_validate(view).model_dump(mode="json"), status_code=status)


def _options(options: list[OptionIn]) -> list[OptionDraft]:
    return [OptionDraft(o.title, o.description, o.cost_cents) for o in options]


def _draft(body: VoteIn) -> VoteDraft:
    values = body.model_dump(exclude={"options"})
    return VoteDraft(**values)


@api(
    "/municipalities/{slug}/votes",
    "POST",
    body=VoteIn,
    response=VoteOut,
    status=201,
    auth=True,
    tag="votes",
    errors=(404,),
)
async def create_vote(request: Request, slug: str, body: VoteIn) -> JSONResponse:
    """Prepare a vote of the municipality as a draft (council)."""
    actor = await require_actor(request)
    vote = await commands.create_vote(
        actor, _draft(body), _options(body.options), municipality_slug=slug
    )
    return await _json(actor, vote, 201)


@api(
    "/mandates/{mandate_id:id}/votes",
    "POST",
    body=VoteIn,
    response=VoteOut,
    status=201,
    auth=True,
    tag="votes",
    errors=(404, 409),
)
async def create_mandate_vote(request: Request, mandate_id: int, body: VoteIn) -> JSONResponse:
    """Prepare a vote on a mandate (council, or its initiator with the council's consent)."""
    actor = await require_actor(request)
    vote = await commands.create_vote(
        actor, _draft(body), _options(body.options), mandate_id=mandate_id
    )
    return await _json(actor, vote, 201)


@api(
    "/municipalities/{slug}/votes",
    query=VoteQuery,
    response=VoteList,
    tag="votes",
    errors=(404,),
)
async def list_votes(request: Request, slug: str, query: VoteQuery) -> JSONResponse:
    """Votes of a municipality, newest first."""
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    items, cursor = await queries.list_votes(
        await actor_of(request), municipality, query.status, None, query.limit, query.cursor
    )
    page = VoteList.model_validate({"items": items, "next": cursor})
    return JSONResponse(page.model_dump(mode="json"))


@api("/votes/{vote_id:id}", response=VoteOut, tag="votes", errors=(404,))
async def get_vote(request: Request, vote_id: int) -> JSONResponse:
    """One vote with its options, status and turnout; its result once published."""
    actor = await actor_of(request)
    return await _json(actor, await commands.get_visible(actor, vote_id))


@api(
    "/votes/{vote_id:id}",
    "PATCH",
    body=VotePatch,
    response=VoteOut,
    auth=True,
    tag="votes",
    errors=(404, 409),
)
async def update_vote(request: Request, vote_id: int, body: VotePatch) -> JSONResponse:
    """Change a draft's settings; fields not sent stay as they are."""
    actor = await require_actor(request)
    vote = await commands.update_vote(actor, vote_id, body.model_dump(exclude_unset=True))
    return await _json(actor, vote)


@api(
    "/votes/{vote_id:id}/options",
    "PUT",
    body=OptionsIn,
    response=VoteOut,
    auth=True,
    tag="votes",
    errors=(404, 409),
)
async def replace_options(request: Request, vote_id: int, body: OptionsIn) -> JSONResponse:
    """Replace a draft's options, in the order given."""
    actor = await require_actor(request)
    await commands.replace_options(actor, vote_id, _options(body.options))
    return await _json(actor, await Vote.get(id=vote_id))


@api(
    "/votes/{vote_id:id}/transitions",
    "POST",
    body=VoteTransitionIn,
    response=VoteOut,
    auth=True,
    tag="votes",
    errors=(404, 409),
)
async def transition_vote(request: Request, vote_id: int, body: VoteTransitionIn) -> JSONResponse:
    """Schedule, open now, close early, publish or cancel; 409 lists the moves allowed now."""
    actor = await require_actor(request)
    vote = await commands.transition_vote(actor, vote_id, body.to, body.reason)
    return await _json(actor, vote)


@api(
    "/votes/{vote_id:id}/ballots",
    "POST",
    body=BallotIn,
    response=BallotOut,
    status=201,
    auth=True,
    tag="ballots",
    errors=(404, 409),
    extra_responses={200: "Replaced one's earlier ballot; a new receipt"},
)
async def cast_ballot(request: Request, vote_id: int, body: BallotIn) -> JSONResponse:
    """Cast one's ballot, or replace it while the vote is open."""
    actor = await require_actor(request)
    await limits.check(request, limits.BALLOT, actor.user_id)
    cast = await commands.cast_ballot(actor, vote_id, body.choices)
    out = BallotOut(
        vote_id=vote_id, receipt=cast.receipt, replaced=not cast.created, choices=cast.choices
    )
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if cast.created else 200)


@api(
    "/votes/{vote_id:id}/ballots/me",
    response=MyBallotOut,
    auth=True,
    tag="ballots",
    errors=(404, 409),
)
async def my_ballot(request: Request, vote_id: int) -> JSONResponse:
    """One's own current ballot, while the vote is open."""
    actor = await require_actor(request)
    choices = await commands.my_ballot(actor, vote_id)
    if choices is None:
        raise NotFound(Message("You have not voted in this vote."))
    return JSONResponse(MyBallotOut(vote_id=vote_id, choices=choices).model_dump(mode="json"))


async def _counted_vote(request: Request, vote_id: int) -> Vote:
    vote = await commands.get_visible(await actor_of(request), vote_id)
    if vote.status not in lifecycle.COUNTED:
        raise Conflict(
            Message("Receipts are published when the vote closes."), status_now=vote.status
        )
    return vote


@api(
    "/votes/{vote_id:id}/receipts",
    query=ReceiptQuery,
    response=ReceiptList,
    tag="ballots",
    errors=(404, 409),
)
async def list_receipts(request: Request, vote_id: int, query: ReceiptQuery) -> JSONResponse:
    """SHA-256 digests of the counted ballots' receipt codes, from closing on."""
    vote = await _counted_vote(request, vote_id)
    for field, value in (("digest", query.digest), ("cursor", query.cursor)):
        if value is not None and not secrecy.is_digest(value):
            raise InvalidInput.on(
                field, Message("Expected %(length)s lower-case hexadecimal characters.", length=64)
            )
    if query.digest is not None:
        found = await queries.counted(vote.id, query.digest)
        return JSONResponse({"items": [query.digest] if found else [], "next": None})
    digests = await queries.receipts(vote.id, query.cursor, query.limit + 1)
    more = len(digests) > query.limit
    digests = digests[: query.limit]
    return JSONResponse({"items": digests, "next": digests[-1] if more and digests else None})


async def _published(request: Request, vote_id: int) -> tuple[Vote, dict[str, Any]]:
    vote = await commands.get_visible(await actor_of(request), vote_id)
    if vote.status != VoteStatus.PUBLISHED or vote.result is None:
        raise Conflict(
            Message("The result is published after the vote closes."), status_now=vote.status
        )
    return vote, vote.result


@api("/votes/{vote_id:id}/result", response=ResultOut, tag="votes", errors=(404, 409))
async def get_result(request: Request, vote_id: int) -> JSONResponse:
    """The published result: winners, round table, figures behind it, turnout."""
    vote, result = await _published(request, vote_id)
    out = ResultOut.model_validate({"vote_id": vote.id, **result})
    return JSONResponse(out.model_dump(mode="json"))


@api(
    "/votes/{vote_id:id}/ballots.pb",
    tag="votes",
    errors=(404, 409),
    media_type="text/plain",
    summary="The anonymised ballots and projects in Pabulib format, to recount with any tool",
)
async def download_ballots(request: Request, vote_id: int) -> PlainTextResponse:
    """Pabulib file of a published vote."""
    vote, result = await _published(request, vote_id)
    if not result["quorum_met"]:
        raise Conflict(Message("A vote below its minimum turnout publishes no ballots."))
    text = await queries.pabulib_file(vote)
    return PlainTextResponse(
        text,
        headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}.pb"'},
    )
