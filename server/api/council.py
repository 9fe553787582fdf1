"""The council's review queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.council.queue import QueueFilter, Sort, review_queue
from participation.mandates.models import Status
from server.api.council_schemas import ReviewQueueOut, ReviewQueueQuery
from server.api.endpoint import Registry
from server.auth import require_actor

api = Registry(order=71)


@api(
    "/municipalities/{slug}/review-queue",
    query=ReviewQueueQuery,
    response=ReviewQueueOut,
    auth=True,
    tag="council",
    errors=(403, 404, 422),
)
async def get_review_queue(request: Request, slug: str, query: ReviewQueueQuery) -> JSONResponse:
    """Mandates waiting for the council or in its work, overdue first (council and
    administrators of the municipality)."""
    filters = QueueFilter(
        status=Status(query.status) if query.status else None,
        district=query.district,
        topic=query.topic,
        department_id=query.department,
        overdue=query.overdue,
        sort=Sort(query.sort),
    )
    page = await review_queue(
        await require_actor(request), slug, filters, query.limit, query.cursor
    )
    body = ReviewQueueOut.model_validate(
        {"items": page.items, "next": page.next, "counts": page.counts}
    )
    return JSONResponse(body.model_dump(mode="json"))
