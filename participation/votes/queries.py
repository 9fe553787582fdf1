"""Read side of votes: settings as the rules see them, public views, lists, receipts."""

from __future__ import annotations

from typing import Any, cast

from tortoise.expressions import Q
from tortoise.functions import Count

from participation.actors import Actor
from participation.deliberation.models import SubjectType
from participation.deliberation.threads import thread_ids
from participation.mandates.queries import decode_cursor, encode_cursor
from participation.municipalities.models import District, Municipality
from participation.permissions import Level, who_may
from participation.votes import lifecycle, permissions
from participation.votes.ballots import Choice, Parameters
from participation.votes.models import (
    Ballot,
    Participation,
    PublishedBallot,
    Rule,
    Vote,
    VoteOption,
    VoteStatus,
)
from participation.votes.tally import export

# A closed vote's ballots are in the box, a published one's in their own table. Publication
# moves them in one transaction, so reading the box first never misses them.
_BALLOT_TABLES: tuple[type[Ballot] | type[PublishedBallot], ...] = (Ballot, PublishedBallot)

CURRENCY = "EUR"


def parameters_of(vote: Vote) -> Parameters:
    return Parameters(
        rule=Rule(vote.rule),
        max_choices=vote.max_choices,
        points_total=vote.points_total,
        points_max_per_option=vote.points_max_per_option,
        budget_cents=vote.budget_cents,
        limit_ballot_cost=vote.limit_ballot_cost,
        min_votes=vote.min_votes,
    )


async def options_of(vote_id: int) -> list[VoteOption]:
    return await VoteOption.filter(vote_id=vote_id).order_by("position")


async def choices_of(vote_id: int) -> list[Choice]:
    return [Choice(o.id, o.cost_cents) for o in await options_of(vote_id)]


# Options are fixed from scheduling on, and an open vote's key never changes: the pair
# names one open vote's options for good, so every ballot need not read them again.
_open_choices: dict[tuple[int, str], list[Choice]] = {}
OPEN_CHOICES_MAX = 10_000


async def ballot_choices(vote: Vote) -> list[Choice]:
    """The options a ballot of `vote` chooses from."""
    if vote.status != VoteStatus.OPEN or vote.ballot_key is None:
        return await choices_of(vote.id)
    key = (vote.id, vote.ballot_key)
    if key not in _open_choices:
        if len(_open_choices) >= OPEN_CHOICES_MAX:
            _open_choices.clear()
        _open_choices[key] = await choices_of(vote.id)
    return _open_choices[key]


def _option(option: VoteOption) -> dict[str, Any]:
    return {
        "id": option.id,
        "position": option.position,
        "title": option.title,
        "description": option.description,
        "cost_cents": option.cost_cents,
    }


async def views_of(actor: Actor | None, votes: list[Vote]) -> list[dict[str, Any]]:
    """Public representations, loading related rows once per page rather than per vote."""
    if not votes:
        return []
    ids = [v.id for v in votes]
    slugs = dict(
        await Municipality.filter(id__in={v.municipality_id for v in votes}).values_list(
            "id", "slug"
        )
    )
    district_ids = {v.district_id for v in votes if v.district_id}
    districts = (
        {d.id: d for d in await District.filter(id__in=district_ids)} if district_ids else {}
    )
    options: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for option in await VoteOption.filter(vote_id__in=ids).order_by("vote_id", "position"):
        options[option.vote_id].append(_option(option))
    live = [v.id for v in votes if v.turnout is None and v.status != VoteStatus.DRAFT]
    counts: dict[int, int] = {}
    if live:
        rows = (
            await Ballot.filter(vote_id__in=live)
            .annotate(n=Count("id"))
            .group_by("vote_id")
            .values_list("vote_id", "n")
        )
        counts = {vote_id: n for vote_id, n in rows}
    voted: set[int] = set()
    if actor is not None:
        taken = await Participation.filter(vote_id__in=ids, user_id=actor.user_id).values_list(
            "vote_id", flat=True
        )
        voted = set(cast(list[int], taken))
    threads = await thread_ids(SubjectType.VOTE, ids)
    views = []
    for v in votes:
        district = districts.get(v.district_id) if v.district_id is not None else None
        movers = permissions.movers_for(actor, v)
        views.append(
            {
                "id": v.id,
                "municipality": slugs[v.municipality_id],
                "mandate_id": v.mandate_id,
                "thread_id": threads.get(v.id),
                "district": {"slug": district.slug, "name": district.name} if district else None,
                "title": v.title,
                "description": v.description,
                "description_html": v.description_html,
                "rule": v.rule,
                "parameters": {
                    "max_choices": v.max_choices,
                    "points_total": v.points_total,
                    "points_max_per_option": v.points_max_per_option,
                    "budget_cents": v.budget_cents,
                    "limit_ballot_cost": v.limit_ballot_cost,
                    "min_votes": v.min_votes,
                },
                "currency": CURRENCY,
                "eligibility_level": v.eligibility_level,
                "opens_at": v.opens_at,
                "closes_at": v.closes_at,
                "min_turnout": v.min_turnout,
                "status": v.status,
                "cancel_reason": v.cancel_reason,
                "turnout": v.turnout if v.turnout is not None else counts.get(v.id, 0),
                "options": options[v.id],
                "created_at": v.created_at,
                "published_at": v.published_at,
                "allowed_transitions": [
                    t.target for t in lifecycle.moves_from(VoteStatus(v.status), movers)
                ],
                "voted": (v.id in voted) if actor is not None else None,
                "participation": who_may(
                    Level(v.eligibility_level),
                    slugs[v.municipality_id],
                    district.slug if district else None,
                ),
            }
        )
    return views


async def vote_view(actor: Actor | None, vote: Vote) -> dict[str, Any]:
    return (await views_of(actor, [vote]))[0]


def visible_to(actor: Actor | None, municipality_id: int) -> Q:
    """Public votes, plus drafts for the council and for the person who proposed them."""
    probe = Vote(municipality_id=municipality_id, status=VoteStatus.DRAFT)
    if permissions.is_council(actor, probe):
        return Q()
    public = Q(status__not=VoteStatus.DRAFT)
    return public | Q(created_by_id=actor.user_id) if actor is not None else public


async def list_votes(
    actor: Actor | None,
    municipality: Municipality,
    status: VoteStatus | None = None,
    mandate_id: int | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first."""
    query = Vote.filter(visible_to(actor, municipality.id), municipality_id=municipality.id)
    if status is not None:
        query = query.filter(status=status)
    if mandate_id is not None:
        query = query.filter(mandate_id=mandate_id)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.filter(id__lt=after)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return await views_of(actor, rows), encode_cursor(rows[-1].id) if more and rows else None


async def receipts(vote_id: int, after: str | None = None, limit: int = 100) -> list[str]:
    """Receipt digests of the counted ballots in hexadecimal order."""
    for model in _BALLOT_TABLES:
        query = model.filter(vote_id=vote_id)
        if after:
            query = query.filter(receipt_digest__gt=after)
        digests = (
            await query.order_by("receipt_digest")
            .limit(limit)
            .values_list("receipt_digest", flat=True)
        )
        if digests:
            return cast(list[str], digests)
    return []


async def counted(vote_id: int, digest: str) -> bool:
    for model in _BALLOT_TABLES:
        if await model.filter(vote_id=vote_id, receipt_digest=digest).exists():
            return True
    return False


async def published_ballots(vote_id: int) -> list[Any]:
    """Ballot contents ordered by their random ids: not by time, person or receipt.

    Ordering by receipt digest would let a voter find her own ballot from her receipt
    and prove to anyone how she voted.
    """
    rows = (
        await PublishedBallot.filter(vote_id=vote_id)
        .order_by("id")
        .values_list("choices", flat=True)
    )
    return list(rows)


async def pabulib_file(vote: Vote) -> str:
    """The published vote's anonymised ballots and projects in Pabulib format."""
    municipality = await Municipality.get(id=vote.municipality_id)
    district = await District.get_or_none(id=vote.district_id) if vote.district_id else None
    options = await options_of(vote.id)
    election = export.Election(
        vote_id=vote.id,
        title=vote.title,
        municipality=municipality.name,
        district=district.name if district else None,
        parameters=parameters_of(vote),
        opens_at=vote.opens_at,
        closes_at=vote.closes_at,
        projects=[export.Project(o.id, o.title, o.cost_cents) for o in options],
        winners=(vote.result or {}).get("winners", []),
    )
    return export.dumps(election, await published_ballots(vote.id))
