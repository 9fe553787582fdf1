"""Action plans: a mandate's measures, their progress and milestones."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.mandates import commands as mandate_commands
from participation.mandates.queries import decode_cursor, encode_cursor
from participation.plans import commands, queries
from participation.plans.models import Measure
from server.api.endpoint import Registry
from server.api.plans_schemas import (
    MeasureIn,
    MeasureList,
    MeasureOut,
    MeasurePatch,
    MeasureQuery,
    MilestoneIn,
)
from server.auth import actor_of, require_actor

api = Registry(order=75)


async def _json(measure_id: int, status: int = 200) -> JSONResponse:
    view = await queries.measure_view(await Measure.get(id=measure_id))
    return JSONResponse(MeasureOut.model_validate(view).model_dump(mode="json"), status_code=status)


@api(
    "/mandates/{mandate_id:id}/measures",
    query=MeasureQuery,
    response=MeasureList,
    tag="plans",
    errors=(404,),
)
async def list_measures(request: Request, mandate_id: int, query: MeasureQuery) -> JSONResponse:
    """The mandate's action plan: its measures in the order they were added."""
    mandate = await mandate_commands.get_visible(await actor_of(request), mandate_id)
    items, last = await queries.list_measures(mandate.id, query.limit, decode_cursor(query.cursor))
    page = MeasureList.model_validate(
        {"items": items, "next": encode_cursor(last) if last is not None else None}
    )
    return JSONResponse(page.model_dump(mode="json"))


@api(
    "/mandates/{mandate_id:id}/measures",
    "POST",
    body=MeasureIn,
    response=MeasureOut,
    status=201,
    auth=True,
    tag="plans",
    errors=(404, 409),
)
async def create_measure(request: Request, mandate_id: int, body: MeasureIn) -> JSONResponse:
    """Add a measure to the mandate's action plan (council of its municipality)."""
    actor = await require_actor(request)
    measure = await commands.create_measure(actor, mandate_id, **body.model_dump())
    return await _json(measure.id, 201)


@api(
    "/measures/{measure_id:id}",
    "PATCH",
    body=MeasurePatch,
    response=MeasureOut,
    auth=True,
    tag="plans",
    errors=(404, 409),
)
async def update_measure(request: Request, measure_id: int, body: MeasurePatch) -> JSONResponse:
    """Start a measure, report its progress, mark it done or drop it; 409 lists the moves."""
    actor = await require_actor(request)
    measure = await commands.update_measure(
        actor, measure_id, status=body.status, progress_percent=body.progress, reason=body.reason
    )
    return await _json(measure.id)


@api(
    "/measures/{measure_id:id}/milestones",
    "POST",
    body=MilestoneIn,
    response=MeasureOut,
    status=201,
    auth=True,
    tag="plans",
    errors=(404, 409),
)
async def add_milestone(request: Request, measure_id: int, body: MilestoneIn) -> JSONResponse:
    """Add a milestone to a measure; the measure is returned with all its milestones."""
    actor = await require_actor(request)
    milestone = await commands.add_milestone(
        actor, measure_id, title=body.title, day=body.date, description=body.description
    )
    return await _json(milestone.measure_id, 201)
