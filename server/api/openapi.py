"""The OpenAPI 3.1 document, generated from the registered endpoints and their models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from server.api.endpoint import Endpoint

REF = "#/components/schemas/{model}"

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _path_schema(endpoint: Endpoint, name: str, convertor: str) -> dict[str, Any]:
    if convertor == "id":
        return {"type": "integer", "minimum": 0, "maximum": 999_999_999}
    if endpoint.params is not None:
        declared = endpoint.params.model_json_schema(ref_template=REF)
        prop = declared.get("properties", {}).get(name)
        if prop is not None:
            return _inline(prop, declared.get("$defs", {}))
    return {"type": "string"}


def _inline(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema with its enum's definition in place of the reference."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return dict(defs[ref.split("/")[-1]])
    return {k: v for k, v in schema.items() if k not in ("title", "description")}


def _events(endpoint: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    """Each Server-Sent Event as Open API 3.1 describes them: `event`, `id` and `data`,
    whose JSON has the model's schema."""
    return {
        "oneOf": [
            {
                "type": "object",
                "required": ["event", "data"],
                "properties": {
                    "event": {"const": name},
                    "id": {"type": "string"},
                    "data": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": _schema(model, components),
                    },
                },
            }
            for name, model in endpoint.events.items()
        ]
    }


def _parameters(endpoint: Endpoint, components: dict[str, Any]) -> list[dict[str, Any]]:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _path_schema(endpoint, name, convertor),
        }
        for name, convertor in re.findall(r"{(\w+)(?::(\w+))?}", endpoint.path)
    ]
    if endpoint.query is not None:
        schema = endpoint.query.model_json_schema(ref_template=REF)
        # An enum only a query names (a list's sort order) is a component of its own.
        for name, sub in schema.get("$defs", {}).items():
            components.setdefault(name, sub)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "description": prop.get("description", ""),
                    "schema": {k: v for k, v in prop.items() if k != "description"},
                }
            )
    return params


def build(endpoints: list[Endpoint], title: str, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {"Problem": PROBLEM}
    paths: dict[str, Any] = {}
    problem_ref = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    for endpoint in endpoints:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", "/api/v1" + endpoint.path)
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "operationId": endpoint.handler.__name__,
            "tags": [endpoint.tag],
            "parameters": _parameters(endpoint, components),
            "responses": {},
        }
        if endpoint.auth:
            operation["security"] = [{"bearer": []}]
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(endpoint.body, components)}},
            }
        if endpoint.upload is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {"schema": _schema(endpoint.upload, components)}
                },
            }
        if endpoint.raw_body is not None:
            operation["requestBody"] = {
                "required": True,
                "description": endpoint.raw_body.description,
                "content": {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in endpoint.raw_body.media_types
                },
            }
        ok: dict[str, Any] = {"description": "Success"}
        if endpoint.response is not None:
            ok["content"] = {
                endpoint.media_type: {"schema": _schema(endpoint.response, components)}
            }
        elif endpoint.media_types:
            ok["content"] = {
                media_type: {"schema": {"type": "string"}} for media_type in endpoint.media_types
            }
        elif endpoint.events:
            ok["content"] = {endpoint.media_type: {"schema": _events(endpoint, components)}}
        elif endpoint.media_type != "application/json":
            ok["content"] = {endpoint.media_type: {"schema": {"type": "string"}}}
        operation["responses"][str(endpoint.status)] = ok
        for status, description in endpoint.extra_responses.items():
            operation["responses"][str(status)] = {"description": description}
        errors = set(endpoint.errors) | {503}
        if any(
            (endpoint.body, endpoint.upload, endpoint.raw_body, endpoint.query, endpoint.params)
        ):
            errors.add(422)
        if endpoint.auth:
            errors.update({401, 403})
        for status in sorted(errors):
            operation["responses"][str(status)] = {"description": "Problem", "content": problem_ref}
        paths.setdefault(path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
