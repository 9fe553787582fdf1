"""Every response carries the security headers: pages, API, streams, files, errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import DBConnectionError

from participation import db
from participation.mandates.models import Mandate
from participation.municipalities.models import Municipality
from server.app import create_app
from server.limits import RateLimited
from tests import factories
from tests.support import StreamingASGITransport, make_settings

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]+)'")


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def mandate(town: Municipality) -> Mandate:
    return await factories.mandate(await factories.person(), town)


async def _crash(request: Request) -> Response:
    raise RuntimeError("a bug")


async def _database_gone(request: Request) -> Response:
    raise DBConnectionError("connection refused")


async def _limited(request: Request) -> Response:
    raise RateLimited("cosign", retry_after=30)


@pytest.fixture
async def anything(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sees the app's crashes as answers, as a browser does."""
    app.add_route("/crash", _crash)
    app.add_route("/database-gone", _database_gone)
    app.add_route("/limited", _limited)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def assert_protected(response: httpx.Response) -> str:
    """Every header a browser needs to guard the response; returns its CSP."""
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    permissions = headers["permissions-policy"]
    assert "publickey-credentials-get=(self)" in permissions
    assert "publickey-credentials-create=(self)" in permissions
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert "server" not in headers
    # BASE_URL is http here: HSTS would lock a plain-HTTP site out of browsers.
    assert "strict-transport-security" not in headers
    return policy


def assert_page_policy(response: httpx.Response) -> str:
    """A page's CSP; returns its script nonce."""
    policy = assert_protected(response)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'"
    assert directives["object-src"] == "'none'"
    match = NONCE.search(policy)
    assert match and directives["script-src"] == f"'nonce-{match.group(1)}'", policy
    return match.group(1)


def assert_nothing_allowed(response: httpx.Response) -> None:
    assert assert_protected(response) == "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/m/musterdorf", 200),
        ("GET", "/mandates/{id}", 200),
        ("GET", "/sign-in", 200),
        ("GET", "/nowhere", 404),
        ("DELETE", "/m/musterdorf", 405),
        ("GET", "/limited", 429),
        ("GET", "/database-gone", 503),
    ],
)
async def test_pages_and_error_pages_carry_the_page_policy(
    anything: httpx.AsyncClient, mandate: Mandate, method: str, path: str, status: int
) -> None:
    response = await anything.request(method, path.format(id=mandate.id))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert_page_policy(response)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/municipalities/musterdorf/mandates", 200),
        ("GET", "/api/v1/mandates/999999", 404),
        ("GET", "/api/v1/me", 401),
        ("DELETE", "/api/v1/health", 405),
        ("GET", "/static/auftrag.css", 200),
        ("GET", "/static/live.js", 200),
        ("GET", "/crash", 500),
        ("GET", "/me/mandates", 303),
        ("GET", "/", 303),
    ],
)
async def test_everything_else_may_load_nothing(
    anything: httpx.AsyncClient, town: Municipality, method: str, path: str, status: int
) -> None:
    response = await anything.request(method, path)
    assert response.status_code == status, response.text
    assert not response.headers.get("content-type", "").startswith("text/html")
    assert_nothing_allowed(response)


async def test_an_event_stream_carries_the_headers(app: Starlette, mandate: Mandate) -> None:
    transport = StreamingASGITransport(app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        http.stream("GET", f"/api/v1/mandates/{mandate.id}/timeline/stream") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert_nothing_allowed(stream)


async def test_each_page_gets_its_own_nonce_and_its_scripts_carry_it(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    nonces = []
    for path in ("/sign-in", "/sign-in", f"/mandates/{mandate.id}"):
        response = await client.get(path)
        nonce = assert_page_policy(response)
        scripts = re.findall(r"<script\b[^>]*>", response.text)
        assert scripts, path
        assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)
    assert all(len(nonce) >= 22 for nonce in nonces)


async def test_pages_show_the_signature_bar_without_a_style_attribute(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    response = await client.get(f"/mandates/{mandate.id}")
    assert 'class="progress-bar"' in response.text
    assert "style=" not in response.text
    assert "<style" not in response.text


def test_no_template_styles_or_scripts_inline() -> None:
    """The page policy refuses inline styles and scripts without the nonce, so none exist."""
    for template in (FRONTEND / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\sstyle\s*=", text), template
        assert "<style" not in text, template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert 'nonce="{{ csp_nonce }}"' in tag and "src=" in tag, (template, tag)


async def test_hsts_is_sent_only_when_base_url_is_https(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path / "var", base_url="https://auftrag.example")
    application = create_app(settings)
    try:
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            base = "https://testserver"
            async with httpx.AsyncClient(transport=transport, base_url=base) as http:
                for path in ("/sign-in", "/static/auftrag.css", "/api/v1/health", "/nowhere"):
                    response = await http.get(path)
                    assert (
                        response.headers["strict-transport-security"]
                        == "max-age=31536000; includeSubDomains"
                    ), path
                    assert response.headers["x-frame-options"] == "DENY"
    finally:
        await db.close()
