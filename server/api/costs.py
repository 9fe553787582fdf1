"""Cost analyses: draft, revise, publish, compare revisions, export as CSV and JSON."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from participation.costs import commands, queries
from participation.errors import InvalidInput
from participation.ids import parse_id
from participation.messages import Message
from server.api.costs_schemas import (
    CostAnalysisIn,
    CostAnalysisList,
    CostAnalysisOut,
    DiffOut,
    DiffQuery,
    ExportQuery,
    RevisionList,
    RevisionQuery,
)
from server.api.endpoint import Registry
from server.api.schemas import ListQuery
from server.auth import actor_of, require_actor

api = Registry(order=73)


def _out(view: dict) -> dict:
    return CostAnalysisOut.model_validate(view).model_dump(mode="json")


def _cursor(text: str | None) -> int | None:
    if not text:
        return None
    value = parse_id(text)
    if value is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    return value


@api(
    "/mandates/{mandate_id:id}/cost-analyses",
    query=ListQuery,
    response=CostAnalysisList,
    tag="costs",
    errors=(404,),
)
async def list_cost_analyses(request: Request, mandate_id: int, query: ListQuery) -> JSONResponse:
    """A mandate's cost analyses: published ones for everybody, drafts too for its council."""
    views, more = await queries.analyses_of(
        await actor_of(request), mandate_id, query.limit, _cursor(query.cursor)
    )
    cursor = str(views[-1]["id"]) if more and views else None
    return JSONResponse({"items": [_out(v) for v in views], "next": cursor})


@api(
    "/mandates/{mandate_id:id}/cost-analyses",
    "POST",
    body=CostAnalysisIn,
    response=CostAnalysisOut,
    status=201,
    auth=True,
    tag="costs",
    errors=(403, 404, 409),
)
async def create_cost_analysis(
    request: Request, mandate_id: int, body: CostAnalysisIn
) -> JSONResponse:
    """Draft a cost analysis of the mandate or one of its measures (council)."""
    actor = await require_actor(request)
    analysis = await commands.create_cost_analysis(
        actor,
        mandate_id,
        title=body.title,
        items=body.items,
        assumptions=body.assumptions,
        measure_id=body.measure_id,
    )
    return JSONResponse(_out(await queries.analysis_view(actor, analysis.id)), status_code=201)


@api(
    "/cost-analyses/{analysis_id:id}.csv",
    query=ExportQuery,
    tag="costs",
    errors=(404,),
    media_type="text/csv",
    summary="The line items as CSV, one per line, with a header row and totals rows",
)
async def export_csv(request: Request, analysis_id: int, query: ExportQuery) -> Response:
    """CSV export of the revision the caller sees (or `revision`)."""
    view = await queries.analysis_view(await actor_of(request), analysis_id, query.revision)
    name = f"cost-analysis-{analysis_id}-r{view['revision']}.csv"
    return Response(
        queries.csv_text(view),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api(
    "/cost-analyses/{analysis_id:id}.json",
    query=ExportQuery,
    response=CostAnalysisOut,
    tag="costs",
    errors=(404,),
    summary="The cost analysis as a JSON file to download",
)
async def export_json(request: Request, analysis_id: int, query: ExportQuery) -> Response:
    """JSON export of the revision the caller sees (or `revision`)."""
    view = await queries.analysis_view(await actor_of(request), analysis_id, query.revision)
    name = f"cost-analysis-{analysis_id}-r{view['revision']}.json"
    return Response(
        json.dumps(_out(view), ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api(
    "/cost-analyses/{analysis_id:id}/revisions",
    query=RevisionQuery,
    response=RevisionList,
    tag="costs",
    errors=(404,),
)
async def list_revisions(request: Request, analysis_id: int, query: RevisionQuery) -> JSONResponse:
    """Revisions, newest first: published ones for everybody, drafts too for the council."""
    rows, more = await queries.revisions_of(
        await actor_of(request), analysis_id, query.limit, _cursor(query.cursor)
    )
    cursor = str(rows[-1]["number"]) if more and rows else None
    page = RevisionList.model_validate({"items": rows, "next": cursor})
    return JSONResponse(page.model_dump(mode="json"))


@api(
    "/cost-analyses/{analysis_id:id}/diff",
    query=DiffQuery,
    response=DiffOut,
    tag="costs",
    errors=(404,),
)
async def diff_revisions(request: Request, analysis_id: int, query: DiffQuery) -> JSONResponse:
    """What changed between two revisions the caller may see."""
    diff = await queries.revision_diff(await actor_of(request), analysis_id, query.from_, query.to)
    return JSONResponse(DiffOut.model_validate(diff).model_dump(mode="json", by_alias=True))


@api(
    "/cost-analyses/{analysis_id:id}/publish",
    "POST",
    response=CostAnalysisOut,
    auth=True,
    tag="costs",
    errors=(403, 404, 409),
)
async def publish_cost_analysis(request: Request, analysis_id: int) -> JSONResponse:
    """Publish the latest revision (council); publishing it again changes nothing."""
    actor = await require_actor(request)
    await commands.publish_cost_analysis(actor, analysis_id)
    return JSONResponse(_out(await queries.analysis_view(actor, analysis_id)))


@api(
    "/cost-analyses/{analysis_id:id}",
    query=ExportQuery,
    response=CostAnalysisOut,
    tag="costs",
    errors=(404,),
)
async def get_cost_analysis(request: Request, analysis_id: int, query: ExportQuery) -> JSONResponse:
    """The cost analysis: its latest revision the caller may see, or `revision`."""
    view = await queries.analysis_view(await actor_of(request), analysis_id, query.revision)
    return JSONResponse(_out(view))


@api(
    "/cost-analyses/{analysis_id:id}",
    "PUT",
    body=CostAnalysisIn,
    response=CostAnalysisOut,
    auth=True,
    tag="costs",
    errors=(403, 404, 409),
)
async def revise_cost_analysis(
    request: Request, analysis_id: int, body: CostAnalysisIn
) -> JSONResponse:
    """Save a new revision (council); it is a draft until published."""
    actor = await require_actor(request)
    extra = {"measure_id": body.measure_id} if "measure_id" in body.model_fields_set else {}
    await commands.revise_cost_analysis(
        actor,
        analysis_id,
        title=body.title,
        items=body.items,
        assumptions=body.assumptions,
        **extra,
    )
    return JSONResponse(_out(await queries.analysis_view(actor, analysis_id)))
