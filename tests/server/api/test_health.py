"""GET /api/v1/health, and failing fast with 503 when the database is unreachable."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.auth import issue_token
from tests.support import assert_problem, make_settings

UNREACHABLE = "postgres://postgres@127.0.0.1:1/x"


async def test_health_reports_ok_with_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": "0.1.0"}


@pytest.fixture
async def unreachable(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose database does not answer."""
    settings = make_settings(UNREACHABLE, tmp_path / "var")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.headers["Authorization"] = "Bearer " + issue_token(settings, 1, 1)
            yield http


async def test_health_is_503_quickly_without_a_database(
    unreachable: httpx.AsyncClient,
) -> None:
    started = time.monotonic()
    response = await unreachable.get("/api/v1/health")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.headers["retry-after"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/municipalities", None),
        ("GET", "/api/v1/municipalities/demo", None),
        ("GET", "/api/v1/municipalities/demo/mandates", None),
        ("GET", "/api/v1/mandates/1", None),
        ("GET", "/api/v1/mandates/1/timeline", None),
        ("GET", "/api/v1/me", None),
        ("POST", "/api/v1/municipalities/demo/mandates", {"title": "T", "summary": "S"}),
        ("POST", "/api/v1/mandates/1/signatures", None),
        ("POST", "/api/v1/mandates/1/transitions", {"to": "in_review"}),
    ],
)
async def test_requests_fail_fast_with_503_without_a_database(
    unreachable: httpx.AsyncClient, method: str, path: str, body: dict | None
) -> None:
    started = time.monotonic()
    response = await unreachable.request(method, path, json=body)
    assert time.monotonic() - started < 5
    problem = assert_problem(response, 503)
    assert "database" in problem["detail"]
    assert response.headers["retry-after"]


@pytest.mark.postgres
async def test_a_database_that_stops_answering_gives_503_within_seconds(
    database_url: str, tmp_path: Path
) -> None:
    """A table locked by someone else makes every statement on it wait: like a hung server."""
    import asyncpg

    settings = make_settings(database_url, tmp_path / "var", db_timeout=1.0)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/api/v1/municipalities")).status_code == 200
            blocker = await asyncpg.connect(database_url.split("?")[0])
            try:
                async with blocker.transaction():
                    await blocker.execute("LOCK TABLE municipality IN ACCESS EXCLUSIVE MODE")
                    started = time.monotonic()
                    response = await http.get("/api/v1/municipalities")
                    elapsed = time.monotonic() - started
                    page = await http.get("/m/demo")
            finally:
                await blocker.close()
    assert_problem(response, 503)
    assert elapsed < 5, f"took {elapsed:.1f} s"
    assert page.status_code == 503
