"""Mandates: launch, list, read, publish, co-sign, withdraw, move along the lifecycle."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from participation.mandates import commands, queries
from server import limits
from server.api.endpoint import Registry
from server.api.schemas import (
    MandateIn,
    MandateList,
    MandateOut,
    MandateQuery,
    SignatureOut,
    TransitionIn,
)
from server.auth import actor_of, require_actor

api = Registry(order=70)


def _json(view: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(MandateOut.model_validate(view).model_dump(mode="json"), status_code=status)


@api(
    "/municipalities/{slug}/mandates",
    "POST",
    body=MandateIn,
    response=MandateOut,
    status=201,
    auth=True,
    tag="mandates",
    errors=(404, 429),
)
async def launch_mandate(request: Request, slug: str, body: MandateIn) -> JSONResponse:
    """Launch a mandate as a draft."""
    actor = await require_actor(request)
    await limits.check(request, limits.LAUNCH, actor.user_id)
    mandate = await commands.launch_mandate(actor, slug, **body.model_dump())
    return _json(await queries.mandate_view(actor, mandate), 201)


@api(
    "/municipalities/{slug}/mandates",
    query=MandateQuery,
    response=MandateList,
    tag="mandates",
    errors=(404,),
)
async def list_mandates(request: Request, slug: str, query: MandateQuery) -> JSONResponse:
    """Public mandates of a municipality, filtered; newest first unless `sort` says
    otherwise. A topic may be given with or without its `#`."""
    filters = queries.MandateFilter(
        status=query.status, district=query.district, topic=query.topic, q=query.q
    )
    items, cursor = await queries.list_mandates(
        await actor_of(request), slug, filters, query.limit, query.cursor, query.sort
    )
    page = MandateList.model_validate({"items": items, "next": cursor})
    return JSONResponse(page.model_dump(mode="json"))


@api("/mandates/{mandate_id:id}", response=MandateOut, tag="mandates", errors=(404,))
async def get_mandate(request: Request, mandate_id: int) -> JSONResponse:
    """One mandate with its live signature count."""
    actor = await actor_of(request)
    mandate = await commands.get_visible(actor, mandate_id)
    return _json(await queries.mandate_view(actor, mandate))


@api(
    "/mandates/{mandate_id:id}/publish",
    "POST",
    response=MandateOut,
    auth=True,
    tag="mandates",
    errors=(404, 409),
)
async def publish_mandate(request: Request, mandate_id: int) -> JSONResponse:
    """Open a draft for co-signing (initiator only)."""
    actor = await require_actor(request)
    mandate = await commands.publish_mandate(actor, mandate_id)
    return _json(await queries.mandate_view(actor, mandate))


@api(
    "/mandates/{mandate_id:id}/transitions",
    "POST",
    body=TransitionIn,
    response=MandateOut,
    auth=True,
    tag="mandates",
    errors=(404, 409),
)
async def transition_mandate(request: Request, mandate_id: int, body: TransitionIn) -> JSONResponse:
    """Move a mandate to another status; 409 lists the moves allowed now."""
    actor = await require_actor(request)
    mandate = await commands.transition_mandate(actor, mandate_id, body.to, body.reason)
    return _json(await queries.mandate_view(actor, mandate))


@api(
    "/mandates/{mandate_id:id}/signatures",
    "POST",
    response=SignatureOut,
    status=201,
    auth=True,
    tag="signatures",
    errors=(404, 409, 429),
    extra_responses={200: "Already signed; nothing changed"},
)
async def sign_mandate(request: Request, mandate_id: int) -> JSONResponse:
    """Co-sign a mandate; idempotent."""
    actor = await require_actor(request)
    await limits.check(request, limits.COSIGN, actor.user_id)
    outcome = await commands.sign_mandate(actor, mandate_id)
    body = {
        "mandate_id": mandate_id,
        "signed": True,
        "signature_count": outcome.signature_count,
        "status": outcome.status,
    }
    return JSONResponse(body, status_code=201 if outcome.created else 200)


@api(
    "/mandates/{mandate_id:id}/signatures/me",
    "DELETE",
    status=204,
    auth=True,
    tag="signatures",
    errors=(404, 409),
)
async def withdraw_signature(request: Request, mandate_id: int) -> Response:
    """Withdraw one's own signature while the mandate is collecting."""
    actor = await require_actor(request)
    await commands.withdraw_signature(actor, mandate_id)
    return Response(status_code=204)
