"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from participation.errors import DomainError, FieldError
from participation.messages import Message

log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Invalid input",
    429: "Too many requests",
    503: "Service unavailable",
}


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem(
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": f"https://auftrag.example/problems/{status}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [{"field": e.field, "message": e.message} for e in errors or []],
    }
    body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def from_domain(exc: DomainError) -> ProblemResponse:
    # Named, so that an extra called `headers` cannot become response headers.
    return problem(exc.status, exc.detail, exc.errors, headers=None, **exc.extra)


def wants_problem(conn: HTTPConnection) -> bool:
    """API clients and scripts get problem details; browsers get a page."""
    return conn.url.path.startswith("/api/") or "application/json" in conn.headers.get("accept", "")


async def api_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, exc.detail or _TITLES.get(exc.status_code, "Error"))


# Seconds a client should wait after a 503: a restarting database is back in a few.
RETRY_AFTER = 5
DATABASE_UNREACHABLE = Message("The database is unreachable; try again shortly.")


def unavailable() -> ProblemResponse:
    return problem(503, DATABASE_UNREACHABLE, headers={"Retry-After": str(RETRY_AFTER)})
