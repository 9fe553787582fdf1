"""PATCH /api/v1/municipalities/{slug} with the face's fields, and PUT, DELETE
/api/v1/municipalities/{slug}/coat-of-arms."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from PIL import Image, PngImagePlugin

from participation.actors import Actor
from participation.files import crest, storage
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.support import assert_problem, stored_files

# Every test here stores crests: each gets a store of its own.
pytestmark = pytest.mark.usefixtures("store")

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
async def admin(town: Municipality) -> Actor:
    return await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)


def _png(text: str | None = None) -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    Image.new("RGB", (20, 20), (0, 80, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


async def test_patch_sets_colour_and_welcome_and_refuses_poor_contrast(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    changed = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={"primary_color": "#1d4f91", "welcome_text": "Willkommen", "default_quorum": 7},
        headers=auth(admin),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["primary_color"] == "#1d4f91" and body["welcome_text"] == "Willkommen"
    assert body["default_quorum"] == 7
    refused = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={"primary_color": "#eeeeee", "default_quorum": 9},
        headers=auth(admin),
    )
    problem = assert_problem(refused, 422, {"primary_color"})
    assert "4.5:1" in problem["errors"][0]["message"]
    # Nothing of the request is stored, the valid quorum neither.
    kept = await Municipality.get(id=town.id)
    assert kept.primary_color == "#1d4f91" and kept.default_quorum == 7
    # Every bad field at once, the face's and the settings' alike.
    both = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={"primary_color": "#eeeeee", "time_zone": "X/Y"},
        headers=auth(admin),
    )
    assert_problem(both, 422, {"primary_color", "time_zone"})
    assert (await Municipality.get(id=town.id)).time_zone == kept.time_zone


async def test_a_bad_colour_from_someone_not_an_administrator_is_a_403(
    client: httpx.AsyncClient, town: Municipality, council: Actor, auth: Auth
) -> None:
    refused = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={"primary_color": "#eeeeee"},
        headers=auth(council),
    )
    assert_problem(refused, 403)


async def test_put_coat_of_arms_stores_it_cleaned_and_serves_it(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    auth: Auth,
    store: storage.LocalStorage,
) -> None:
    put = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms",
        content=_png("<script>alert(1)</script>"),
        headers={**auth(admin), "Content-Type": "image/png"},
    )
    assert put.status_code == 200, put.text
    url = put.json()["coat_of_arms_url"]
    assert url.startswith("/m/musterdorf/coat-of-arms/")
    served = await client.get(url)
    assert served.status_code == 200 and b"<script" not in served.content
    assert served.headers["x-content-type-options"] == "nosniff"
    assert (await client.get("/api/v1/municipalities/musterdorf")).json()["coat_of_arms_url"] == url
    removed = await client.delete(
        "/api/v1/municipalities/musterdorf/coat-of-arms", headers=auth(admin)
    )
    assert removed.status_code == 200 and removed.json()["coat_of_arms_url"] is None
    assert (await client.get(url)).status_code == 404


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        (b"<html><script>alert(1)</script></html>", "image/jpeg"),
        (b"plain text", "image/png"),
        (_png(), "image/svg+xml"),
    ],
    ids=["svg", "html", "not-an-image", "svg-content-type"],
)
async def test_put_coat_of_arms_refuses_what_is_no_png_or_jpeg(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    auth: Auth,
    store: storage.LocalStorage,
    content: bytes,
    content_type: str,
) -> None:
    refused = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms",
        content=content,
        headers={**auth(admin), "Content-Type": content_type},
    )
    assert_problem(refused, 422, {"coat_of_arms"})
    assert stored_files(store) == []
    assert (await Municipality.get(id=town.id)).coat_of_arms_key is None


async def test_put_coat_of_arms_over_two_megabytes_is_413_naming_the_field(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    auth: Auth,
    store: storage.LocalStorage,
) -> None:
    refused = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms",
        content=_png() + b"\0" * crest.MAX_CREST_BYTES,
        headers={**auth(admin), "Content-Type": "image/png"},
    )
    assert_problem(refused, 413, {"coat_of_arms"})
    assert stored_files(store) == []


async def test_put_coat_of_arms_over_the_body_cap_is_413_naming_the_field(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    auth: Auth,
    store: storage.LocalStorage,
) -> None:
    big = _png() + b"\0" * (4 * 1024 * 1024)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    headers = {**auth(admin), "Content-Type": "image/png"}
    declared = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms", content=big, headers=headers
    )
    problem = assert_problem(declared, 413, {"coat_of_arms"})
    assert problem["errors"][0]["message"] == "The coat of arms may have at most 2 MB."
    # Refused unread: the client is told that the rest of its body will not be read.
    assert declared.headers["connection"] == "close"
    chunked = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms", content=chunks(), headers=headers
    )
    assert_problem(chunked, 413, {"coat_of_arms"})
    assert stored_files(store) == []
    assert (await Municipality.get(id=town.id)).coat_of_arms_key is None


async def test_only_administrators_change_the_crest(
    client: httpx.AsyncClient, town: Municipality, council: Actor, auth: Auth
) -> None:
    refused = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms",
        content=_png(),
        headers={**auth(council), "Content-Type": "image/png"},
    )
    assert_problem(refused, 403)
    anonymous = await client.put(
        "/api/v1/municipalities/musterdorf/coat-of-arms",
        content=_png(),
        headers={"Content-Type": "image/png"},
    )
    assert_problem(anonymous, 401)
