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
from participation.messages import Message
from server.auth import require_actor
from server.problems import from_domain

MAX_BODY = 64 * 1024
TOO_LARGE = Message("The request body must be at most %(max)s bytes.", max=MAX_BODY)

Handler = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class RawBody:
    """A body of bare bytes (an image) the handler reads itself: documented, not validated
    here, so that a client knows the types and the limit before it sends."""

    media_types: tuple[str, ...]
    description: str


@dataclass
class Endpoint:
    path: str
    method: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    params: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = False
    errors: tuple[int, ...] = ()
    media_type: str = "application/json"
    events: dict[str, type[BaseModel]] = field(default_factory=dict)
    # A multipart form the handler reads itself (uploads); documented, not validated here.
    upload: type[BaseModel] | None = None
    raw_body: RawBody | None = None
    # Every type a binary answer may have (downloads), in place of `media_type`.
    media_types: tuple[str, ...] = ()
    extra_responses: dict[int, str] = field(default_factory=dict)

    async def __call__(self, request: Request) -> Response:
        try:
            if self.auth:
                # Who asks comes first: an anonymous caller learns nothing from the body's rules.
                await require_actor(request)
            kwargs: dict[str, Any] = dict(request.path_params)
            if self.params is not None:
                params = _validate(self.params, kwargs, "path")
                kwargs.update(params.model_dump(include=set(kwargs)))
            if self.query is not None:
                kwargs["query"] = _validate(self.query, dict(request.query_params), "query")
            if self.body is not None:
                kwargs["body"] = _validate_json(self.body, await _json(request))
            return await self.handler(request, **kwargs)
        except DomainError as exc:
            return from_domain(exc)


async def _json(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise InvalidInput.on("body", TOO_LARGE)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput.on("body", TOO_LARGE)
    if not raw.strip():
        raise InvalidInput.on("body", Message("A JSON object is required."))
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput.on(
            "body", Message("Malformed JSON: %(reason)s.", reason=str(exc))
        ) from None
    except RecursionError:
        raise InvalidInput.on("body", Message("The JSON is nested too deeply.")) from None
    if not isinstance(data, dict):
        raise InvalidInput.on("body", Message("A JSON object is required."))
    return data


def _integral(value: Any) -> Any:
    """JSON has one kind of number, and JSON Schema counts 2.0 as the integer 2."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def _validate(model: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, where) from None


def _validate_json(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """JSON types as they are: with strict models, `false` is no number and `"1"` no count,
    while text still reads as the times and enums it spells."""
    try:
        return model.model_validate_json(json.dumps(_integral(data)))
    except ValidationError as exc:
        raise _invalid(exc, "body") from None


def _invalid(exc: ValidationError, where: str) -> InvalidInput:
    errors = [
        FieldError(".".join(str(p) for p in err["loc"]) or where, err["msg"])
        for err in exc.errors(include_url=False)
    ]
    return InvalidInput(Message("The %(where)s has invalid fields.", where=where), errors)


def routes(endpoints: list[Endpoint]) -> list[Route]:
    """One route per path, so that a 405 names in `Allow` every method the path has."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint

    def route(path: str, methods: dict[str, Endpoint]) -> Route:
        async def dispatch(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            return await methods[method](request)

        name = "|".join(e.handler.__name__ for e in methods.values())
        return Route(path, dispatch, methods=list(methods), name=name)

    return [route(path, methods) for path, methods in by_path.items()]


class Registry:
    """Collects the endpoints of one area, for mounting and for the OpenAPI document.

    `order` places them among the other areas' (server.web): lower comes first.
    """

    def __init__(self, order: int) -> None:
        self.order = order
        self.endpoints: list[Endpoint] = []

    def __call__(
        self, path: str, method: str = "GET", **options: Any
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            summary = options.pop("summary", None) or (handler.__doc__ or "").strip().split("\n")[0]
            self.endpoints.append(Endpoint(path, method, handler, summary, **options))
            return handler

        return register
