"""The landing page with hundreds of municipalities: counted, a page at a time by plain
links, and searched by name, official key or state."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette

from participation.municipalities.models import Municipality
from server.pages.mandates import HOME_PAGE_SIZE

MANY = 250


@pytest.fixture
async def many(app: Starlette) -> list[Municipality]:
    """MANY towns, Bavarian ones (09…) and ones in Baden-Württemberg (08…), some of them spas."""
    towns = [
        Municipality(
            slug=f"ort-{n:03}",
            name=f"Bad Ort {n:03}" if n % 20 == 0 else f"Ort {n:03}",
            state="BY" if n % 2 else "BW",
            official_key=f"{'09' if n % 2 else '08'}{n:06}",
        )
        for n in range(MANY)
    ]
    await Municipality.bulk_create(towns)
    return towns


def slugs(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return re.findall(r'<li class="card"><a href="/m/([^"]+)"', page.text)


def count(page: httpx.Response) -> str:
    found = re.search(r'<p class="result-count"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, page.text
    return found.group(1)


def pager(page: httpx.Response) -> dict[str, str]:
    """rel → href of the pager's links."""
    found = re.search(
        r'<nav aria-label="Pages of the municipality list" class="pager">(.*?)</nav>',
        page.text,
        re.S,
    )
    assert found, page.text
    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'<a href="([^"]+)" rel="(\w+)"', found.group(1))
    }


async def test_every_municipality_is_on_one_of_the_pages(
    client: httpx.AsyncClient, many: list[Municipality]
) -> None:
    first = await client.get("/?lang=en")
    assert count(first) == f"{MANY} municipalities"
    assert len(slugs(first)) == HOME_PAGE_SIZE and "Page 1 of 5" in first.text
    assert pager(first) == {"next": "/?page=2"}

    seen = slugs(first)
    page = first
    while "next" in pager(page):
        page = await client.get(pager(page)["next"] + "&lang=en")
        seen += slugs(page)
    assert "Page 5 of 5" in page.text and pager(page) == {"prev": "/?page=4"}
    # Every one once, in the order of their names.
    by_name = sorted(many, key=lambda m: (m.name, m.slug))
    assert seen == [m.slug for m in by_name]
    assert len(slugs(page)) == MANY - 4 * HOME_PAGE_SIZE

    second = await client.get("/?page=2&lang=en")
    assert pager(second) == {"prev": "/", "next": "/?page=3"}
    assert slugs(second) == seen[HOME_PAGE_SIZE : 2 * HOME_PAGE_SIZE]


async def test_a_search_narrows_counts_and_keeps_its_words_across_pages(
    client: httpx.AsyncClient, many: list[Municipality]
) -> None:
    spas = await client.get("/?q=bad&lang=en")
    assert slugs(spas) == [f"ort-{n:03}" for n in range(0, MANY, 20)]
    assert count(spas) == f"13 of {MANY} match “bad”"
    assert 'class="pager"' not in spas.text

    # Digits find by the start of the official key: 09… is Bavaria.
    bavaria = await client.get("/?q=0900&lang=en")
    assert count(bavaria) == f"125 of {MANY} match “0900”"
    assert pager(bavaria) == {"next": "/?q=0900&page=2"}
    later = await client.get("/?q=0900&page=3&lang=en")
    assert pager(later) == {"prev": "/?q=0900&page=2"}
    assert all(int(slug[4:]) % 2 for slug in slugs(later))
    assert len(slugs(later)) == 125 - 2 * HOME_PAGE_SIZE
    assert 'value="0900"' in later.text

    # A state's whole name finds its municipalities; a part of it ("bad") did not above.
    by_state = await client.get("/?q=baden-w%C3%BCrttemberg&lang=en")
    assert count(by_state) == f"125 of {MANY} match “baden-württemberg”"
    assert '<span class="state">Baden-Württemberg</span>' in by_state.text
    # A Land is named in the reader's language and found by either name.
    for q, lang, shown in (("Bavaria", "en", "Bavaria"), ("bayern", "en", "Bavaria")):
        found = await client.get(f"/?q={q}&lang={lang}")
        assert count(found) == f"125 of {MANY} match “{q}”"
        assert f'<span class="state">{shown}</span>' in found.text
    assert '<span class="state">Bayern</span>' in (await client.get("/?q=bavaria&lang=de")).text
    assert "13 von 250 passen zu „bad“" in (await client.get("/?q=bad&lang=de")).text
    one = await client.get("/?q=Ort%20007&lang=en")
    assert slugs(one) == ["ort-007"] and count(one) == f"1 of {MANY} matches “Ort 007”"


@pytest.mark.parametrize("page", ["0", "-1", "zwei", "²", "1.5"])
async def test_a_page_that_is_no_number_is_refused_naming_it(
    client: httpx.AsyncClient, many: list[Municipality], page: str
) -> None:
    response = await client.get("/", params={"page": page, "lang": "en"})
    assert response.status_code == 422
    assert "The page must be a number from 1 up." in response.text


async def test_a_page_past_the_end_is_the_last(
    client: httpx.AsyncClient, many: list[Municipality]
) -> None:
    # A link kept from before a search narrowed, or from when there were more.
    response = await client.get("/?q=bad&page=9&lang=en")
    assert response.status_code == 200 and len(slugs(response)) == 13
    last = await client.get("/?page=999&lang=en")
    assert "Page 5 of 5" in last.text and len(slugs(last)) == MANY - 4 * HOME_PAGE_SIZE
