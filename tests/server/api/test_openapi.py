"""The OpenAPI document: generated from the same models, covering every /api/v1 route."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from participation import single_line
from server.api.schemas import MandateIn


def _api_routes(app: Starlette) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route the app serves under /api/v1."""
    found = set()
    for mount in app.routes:
        if isinstance(mount, Mount) and mount.path == "/api/v1":
            for route in mount.routes:
                assert isinstance(route, Route)
                path = re.sub(r"{(\w+):\w+}", r"{\1}", "/api/v1" + route.path)
                for method in route.methods or ():
                    if method != "HEAD":
                        found.add((method.lower(), path))
    return found


async def test_the_document_covers_every_api_route(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }
    served = _api_routes(app)
    assert len(served) >= 13
    assert documented == served


async def test_the_contracts_endpoints_are_documented(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    for method, path in [
        ("get", "/api/v1/health"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/municipalities"),
        ("get", "/api/v1/municipalities/{slug}"),
        ("post", "/api/v1/municipalities/{slug}/mandates"),
        ("get", "/api/v1/municipalities/{slug}/mandates"),
        ("get", "/api/v1/mandates/{mandate_id}"),
        ("post", "/api/v1/mandates/{mandate_id}/publish"),
        ("post", "/api/v1/mandates/{mandate_id}/signatures"),
        ("delete", "/api/v1/mandates/{mandate_id}/signatures/me"),
        ("post", "/api/v1/mandates/{mandate_id}/transitions"),
        ("get", "/api/v1/mandates/{mandate_id}/timeline"),
        ("get", "/api/v1/mandates/{mandate_id}/timeline/stream"),
    ]:
        assert method in paths.get(path, {}), (method, path)


async def test_operations_describe_parameters_bodies_and_problems(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/api/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"] and operation["operationId"], (method, path)
            named = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
            assert named == re.findall(r"{(\w+)}", path)
            for reference in _refs(operation):
                assert reference.split("/")[-1] in schemas, reference
    launch = document["paths"]["/api/v1/municipalities/{slug}/mandates"]["post"]
    slug = next(p for p in launch["parameters"] if p["name"] == "slug")
    assert slug["schema"] == {"type": "string"}
    assert launch["security"] == [{"bearer": []}]
    assert {"201", "401", "403", "422"} <= set(launch["responses"])
    problem = launch["responses"]["422"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    # The request schema is the model that validates launches.
    body = launch["requestBody"]["content"]["application/json"]["schema"]
    assert schemas[body["$ref"].split("/")[-1]] == MandateIn.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    assert schemas["MandateIn"]["properties"]["title"]["maxLength"] == 120
    listing = document["paths"]["/api/v1/municipalities/{slug}/mandates"]["get"]
    query = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert {"status", "district", "topic", "q", "limit", "cursor"} <= query
    mandate = document["paths"]["/api/v1/mandates/{mandate_id}"]["get"]
    assert next(p for p in mandate["parameters"])["schema"]["type"] == "integer"
    stream = document["paths"]["/api/v1/mandates/{mandate_id}/timeline/stream"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


async def test_single_line_fields_declare_their_pattern(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/api/openapi.json")).json()["components"]["schemas"]
    for model, field in [
        ("MandateIn", "title"),
        ("MandateIn", "summary"),
        ("VoteIn", "title"),
        ("OptionIn", "title"),
        ("OptionIn", "description"),
        ("ProfileIn", "display_name"),
        ("PasskeyIn", "name"),
    ]:
        assert schemas[model]["properties"][field]["pattern"] == single_line.PATTERN, model
    assert schemas["MandateIn"]["properties"]["topics"]["items"]["pattern"] == single_line.PATTERN
    assert schemas["MandateIn"]["properties"]["body"]["pattern"] != single_line.PATTERN
    assert schemas["VoteIn"]["properties"]["description"]["pattern"] != single_line.PATTERN


def test_no_two_schema_models_share_a_name() -> None:
    """OpenAPI names components by class name: two models of one name would make one of
    them describe the other's responses (as a comment's author once did)."""
    import importlib
    import pkgutil

    from pydantic import BaseModel

    import server.api

    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(server.api.__path__):
        module = importlib.import_module(f"server.api.{info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
            ):
                assert name not in seen, f"{name} in {seen.get(name)} and {module.__name__}"
                seen[name] = module.__name__


async def test_the_coat_of_arms_body_is_described_as_an_image(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    put = paths["/api/v1/municipalities/{slug}/coat-of-arms"]["put"]
    body = put["requestBody"]
    assert body["required"] is True and "at most 2 MB" in body["description"]
    binary = {"schema": {"type": "string", "format": "binary"}}
    assert body["content"] == {"image/png": binary, "image/jpeg": binary}
    assert {"200", "413", "422"} <= set(put["responses"])
