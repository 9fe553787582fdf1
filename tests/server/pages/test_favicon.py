"""The site's icon: where browsers look for it unprompted, and linked from every page."""

from __future__ import annotations

import io

import httpx
from PIL import Image
from starlette.applications import Starlette


async def test_the_icon_is_served_with_a_long_cache(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ico = await client.get("/favicon.ico")
    assert ico.status_code == 200
    assert ico.headers["content-type"] == "image/x-icon"
    assert "max-age=31536000" in ico.headers["cache-control"]
    with Image.open(io.BytesIO(ico.content)) as image:
        assert image.format == "ICO" and image.size[0] >= 16
    svg = await client.get("/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "<script" not in svg.text
    assert "max-age=31536000" in svg.headers["cache-control"]


async def test_every_page_links_it(app: Starlette, client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in")
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page.text
    assert '<link rel="icon" href="/favicon.ico"' in page.text
