"""Oversized request bodies get 413, whether they announce their size or not."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.mandates.models import Mandate
from participation.municipalities.models import Municipality
from server.settings import Settings
from tests import factories
from tests.support import assert_problem, make_settings

Auth = Callable[[Actor], dict[str, str]]
LIMIT = 4096
URL = "/api/v1/municipalities/musterdorf/mandates"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "var", max_request_bytes=LIMIT)


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


def _launch(size: int) -> bytes:
    """A launch request whose JSON body is `size` bytes long."""
    fields = {"title": "Mehr Bänke", "summary": "Zum Ausruhen.", "body": ""}
    padding = size - len(json.dumps(fields).encode())
    return json.dumps({**fields, "body": "x" * padding}).encode()


async def _chunks(body: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_body_within_the_limit_is_served(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    person = await factories.person()
    headers = {**auth(person), "Content-Type": "application/json"}
    response = await client.post(URL, content=_launch(LIMIT), headers=headers)
    assert response.status_code == 201, response.text
    chunked = await client.post(URL, content=_chunks(_launch(LIMIT)), headers=headers)
    assert chunked.status_code == 201, chunked.text


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    person = await factories.person()
    headers = {**auth(person), "Content-Type": "application/json"}
    response = await client.post(URL, content=_launch(LIMIT + 1), headers=headers)
    body = assert_problem(response, 413)
    assert str(LIMIT) in body["detail"]
    assert not await Mandate.exists()


async def test_a_chunked_body_is_cut_off_when_it_grows_too_large(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    person = await factories.person()
    headers = {**auth(person), "Content-Type": "application/json"}
    request = client.build_request(
        "POST", URL, content=_chunks(_launch(10 * LIMIT)), headers=headers
    )
    assert "content-length" not in request.headers
    assert_problem(await client.send(request), 413)
    assert not await Mandate.exists()


async def test_an_oversized_form_gets_a_page(client: httpx.AsyncClient, town: Municipality) -> None:
    response = await client.post("/sign-in", data={"email": "a@example.org", "next": "x" * LIMIT})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    chunked = await client.post(
        "/sign-in",
        content=_chunks(b"next=" + b"x" * LIMIT),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413
    assert chunked.headers["content-type"].startswith("text/html")
