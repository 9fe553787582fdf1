"""The JSON API under /api/v1, and its OpenAPI document.

Each module here that declares an endpoint `Registry` named `api` is mounted, by order.
"""

from __future__ import annotations

import sys

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from server.api import endpoint, health, openapi
from server.api.endpoint import Endpoint, Registry
from server.web import declared


def endpoints() -> list[Endpoint]:
    """Every area's endpoints, in the order their registries declare."""
    registries = declared(sys.modules[__name__], "api", Registry)
    return [e for registry in registries for e in registry.endpoints]


async def openapi_document(request: Request) -> JSONResponse:
    if not hasattr(request.app.state, "openapi"):
        request.app.state.openapi = openapi.build(endpoints(), "Auftrag API", health.VERSION)
    return JSONResponse(request.app.state.openapi)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/openapi.json", openapi_document, name="openapi"),
        Mount("/api/v1", routes=endpoint.routes(endpoints()), name="api"),
    ]
