"""The JSON API under /api/v1, and its OpenAPI document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from server.api import (
    account,
    administration,
    endpoint,
    health,
    mandates,
    me,
    municipalities,
    openapi,
    residence,
    security,
    timeline,
    votes,
)

ENDPOINTS = [
    *health.api.endpoints,
    *me.api.endpoints,
    *account.api.endpoints,
    *residence.api.endpoints,
    *security.api.endpoints,
    *municipalities.api.endpoints,
    *administration.api.endpoints,
    *mandates.api.endpoints,
    *timeline.api.endpoints,
    *votes.api.endpoints,
]


async def openapi_document(request: Request) -> JSONResponse:
    if not hasattr(request.app.state, "openapi"):
        request.app.state.openapi = openapi.build(ENDPOINTS, "Auftrag API", health.VERSION)
    return JSONResponse(request.app.state.openapi)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/openapi.json", openapi_document, name="openapi"),
        Mount("/api/v1", routes=endpoint.routes(ENDPOINTS), name="api"),
    ]
