"""The public figures: one municipality's dashboard and one figure compared across all.

Public and the same for everyone, so caches may keep them for a few minutes; the figures
change only as the projection catches up anyway.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.metrics import queries
from participation.metrics.figures import definition_url
from participation.metrics.results import FigureValue
from server.api.endpoint import Registry
from server.api.metrics_schemas import (
    CompareQuery,
    ComparisonOut,
    ComparisonRowOut,
    FigureOut,
    MetricsOut,
    MetricsQuery,
    TrendPointOut,
)

api = Registry(order=82)

CACHE = {"Cache-Control": "public, max-age=300"}


def _figure(value: FigureValue) -> FigureOut:
    return FigureOut(
        figure=value.figure,
        value=value.value,
        n=value.n,
        interval=value.interval,
        comparable=value.comparable,
        unit=value.unit,
        service_type=value.service_type,
        p90=value.p90,
        distribution=(
            None
            if value.distribution is None
            else {str(score): count for score, count in value.distribution.items()}
        ),
        per_1000=value.per_1000,
        definition_url=definition_url(value.figure),
    )


@api(
    "/municipalities/{slug}/metrics",
    query=MetricsQuery,
    response=MetricsOut,
    tag="transparency",
    errors=(404, 422),
)
async def municipality_metrics(request: Request, slug: str, query: MetricsQuery) -> JSONResponse:
    """The municipality's figures in a period, each with its cases and interval."""
    board = await queries.dashboard(slug, query.period, query.department)
    out = MetricsOut(
        municipality=board.municipality,
        name=board.name,
        period=board.period,
        department=board.department,
        figures=[_figure(value) for value in board.figures],
        trends={
            figure: [TrendPointOut(month=m, value=v, n=n) for m, v, n in points]
            for figure, points in board.trends.items()
        },
    )
    return JSONResponse(out.model_dump(mode="json"), headers=CACHE)


@api(
    "/metrics/compare",
    query=CompareQuery,
    response=ComparisonOut,
    tag="transparency",
    errors=(422,),
)
async def compare_metrics(request: Request, query: CompareQuery) -> JSONResponse:
    """One figure for every municipality, ranked among those with enough cases."""
    comparison = await queries.compare(query.figure, query.period, query.service_type)
    out = ComparisonOut(
        figure=comparison.figure,
        period=comparison.period,
        service_type=comparison.service_type,
        unit=comparison.unit,
        definition_url=definition_url(comparison.figure),
        rows=[
            ComparisonRowOut(
                municipality=row.municipality,
                name=row.name,
                value=row.value,
                n=row.n,
                interval=row.interval,
                comparable=row.comparable,
                rank=row.rank,
            )
            for row in comparison.rows
        ],
    )
    return JSONResponse(out.model_dump(mode="json"), headers=CACHE)
