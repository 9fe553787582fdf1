"""Outcome ratings of a finished mandate: the public summary with comments, and rating."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.mandates import commands, rating, rating_views
from server.api.endpoint import Registry
from server.api.ratings_schemas import OwnRatingOut, RatingIn, RatingsOut, RatingsQuery
from server.auth import actor_of, require_actor

api = Registry(order=77)


@api(
    "/mandates/{mandate_id:id}/ratings",
    query=RatingsQuery,
    response=RatingsOut,
    tag="ratings",
    errors=(404, 422),
)
async def get_ratings(request: Request, mandate_id: int, query: RatingsQuery) -> JSONResponse:
    """Average, count and distribution of the ratings, with the comments, newest first."""
    actor = await actor_of(request)
    mandate = await commands.get_visible(actor, mandate_id)
    view = await rating_views.ratings_view(actor, mandate, query.limit, query.cursor)
    return JSONResponse(RatingsOut.model_validate(view).model_dump(mode="json"))


@api(
    "/mandates/{mandate_id:id}/ratings",
    "POST",
    body=RatingIn,
    response=OwnRatingOut,
    status=201,
    auth=True,
    tag="ratings",
    errors=(403, 404, 409),
    extra_responses={200: "Her earlier rating, changed (within 30 days of giving it)"},
)
async def rate_outcome(request: Request, mandate_id: int, body: RatingIn) -> JSONResponse:
    """Rate the outcome as a co-signer once it is completed or rejected; again to edit."""
    actor = await require_actor(request)
    outcome = await rating.rate_outcome(
        actor, mandate_id, body.score, body.comment, show_name=body.show_name
    )
    own = OwnRatingOut.model_validate(rating_views.mine_view(outcome.rating))
    return JSONResponse(own.model_dump(mode="json"), status_code=201 if outcome.created else 200)
