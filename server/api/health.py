"""Health: is this process able to reach its database."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise.connection import connections

from server.api.endpoint import Registry
from server.api.schemas import HealthOut

api = Registry(order=0)
VERSION = "0.1.0"


@api("/health", response=HealthOut, tag="meta", extra_responses={503: "Database unreachable"})
async def health(request: Request) -> JSONResponse:
    """Liveness and database reachability."""
    timeout = request.app.state.settings.db_timeout
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), timeout)
    except Exception:
        body = {"status": "unavailable", "database": "unreachable", "version": VERSION}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "database": "ok", "version": VERSION})
