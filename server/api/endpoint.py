"""API routes declared with the pydantic models that validate them.

The same declarations produce the OpenAPI document, so the contract cannot drift
from what the code accepts.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import DomainError, FieldError, InvalidInput
from server.problems import from_domain

MAX_BODY = 64 * 1024

Handler = Callable[..., Awaitable[Response]]


@dataclass
class Endpoint:
    path: str
    method: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = False
    errors: tuple[int, ...] = ()
    media_type: str = "application/json"
    extra_responses: dict[int, str] = field(default_factory=dict)

    def route(self) -> Route:
        return Route(self.path, self._call, methods=[self.method], name=self.handler.__name__)

    async def _call(self, request: Request) -> Response:
        try:
            kwargs: dict[str, Any] = dict(request.path_params)
            if self.query is not None:
                kwargs["query"] = _validate(self.query, dict(request.query_params), "query")
            if self.body is not None:
                kwargs["body"] = _validate(self.body, await _json(request), "body")
            return await self.handler(request, **kwargs)
        except DomainError as exc:
            return from_domain(exc)


async def _json(request: Request) -> Any:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise InvalidInput.on("body", f"The request body must be at most {MAX_BODY} bytes.")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput.on("body", f"The request body must be at most {MAX_BODY} bytes.")
    if not raw.strip():
        raise InvalidInput.on("body", "A JSON object is required.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput.on("body", f"Malformed JSON: {exc}.") from None
    except RecursionError:
        raise InvalidInput.on("body", "The JSON is nested too deeply.") from None
    if not isinstance(data, dict):
        raise InvalidInput.on("body", "A JSON object is required.")
    return data


def _validate(model: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in err["loc"]) or where, err["msg"])
            for err in exc.errors(include_url=False)
        ]
        raise InvalidInput(f"The {where} has invalid fields.", errors) from None


class Registry:
    """Collects the endpoints of one area, for mounting and for the OpenAPI document."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def __call__(
        self, path: str, method: str = "GET", **options: Any
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            summary = options.pop("summary", None) or (handler.__doc__ or "").strip().split("\n")[0]
            self.endpoints.append(Endpoint(path, method, handler, summary, **options))
            return handler

        return register
