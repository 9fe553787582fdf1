"""The landing page with more municipalities than fit on one page, in real Chromium without
JavaScript: the count, the pager's plain links, a search kept across pages, and axe-core
at 1280 and 320 px wide with nothing scrolling sideways."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import Axe, report
from tests.support import server_environment

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

# Beside the demo's three: Bavarian villages, official keys 0900…, enough for two pages.
CROWD = 60
FOUND = """
import asyncio

from participation import db
from participation.municipalities.models import Municipality
from server.settings import Settings


async def main() -> None:
    await db.init(Settings.from_env().database_url)
    await Municipality.bulk_create(
        [
            Municipality(slug=f"dorf-{n:02}", name=f"Dorf {n:02}", state="BY",
                         official_key=f"0900{n:04}")
            for n in range(%d)
        ]
    )
    await db.close()


asyncio.run(main())
"""


@pytest.fixture(scope="module")
def crowded(live_server: str, live_dir: Path) -> str:
    subprocess.run(
        [sys.executable, "-c", FOUND % CROWD],
        cwd=live_dir,
        env=server_environment(PYTHONWARNINGS="ignore"),
        capture_output=True,
        check=True,
    )
    return live_server


def test_the_pages_of_the_landing_page_work_without_javascript(  # type: ignore[no-untyped-def]
    browser, crowded: str
) -> None:
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{crowded}/")
        expect(page.locator("#result-count")).to_have_text(f"{CROWD + 3} Gemeinden")
        expect(page.locator(".municipality-list li")).to_have_count(50)

        pager = page.get_by_role("navigation", name="Seiten der Gemeindeliste")
        pager.get_by_role("link", name="Nächste Seite").click()
        expect(page).to_have_url(f"{crowded}/?page=2")
        expect(page.locator(".municipality-list li")).to_have_count(CROWD + 3 - 50)
        expect(pager).to_contain_text("Seite 2 von 2")

        page.get_by_label("Finde deine Gemeinde").fill("0900")
        page.get_by_role("button", name="Suche").click()
        expect(page.locator("#result-count")).to_have_text(
            f"{CROWD} von {CROWD + 3} passen zu „0900“"
        )
        pager.get_by_role("link", name="Nächste Seite").click()
        expect(page).to_have_url(f"{crowded}/?q=0900&page=2")
        expect(page.locator(".municipality-list li")).to_have_count(CROWD - 50)
        expect(page.locator(".municipality-list li").first).to_contain_text("Bayern")
        pager.get_by_role("link", name="Vorige Seite").click()
        expect(page).to_have_url(f"{crowded}/?q=0900")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_pages_of_the_landing_page_pass_axe(  # type: ignore[no-untyped-def]
    browser, axe: Axe, crowded: str, width: int
) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    failures: list[str] = []
    try:
        page = context.new_page()
        for path, status in [
            ("/", 200),
            ("/?page=2", 200),
            ("/?q=0900&page=2", 200),
            ("/?page=zwei", 422),
        ]:
            response = page.goto(f"{crowded}{path}")
            assert response is not None and response.status == status, path
            if violations := axe.violations(page):
                failures.append(report(f"{path} at {width}px", violations))
            scrolled = page.evaluate("document.documentElement.scrollWidth")
            assert scrolled <= width, f"{path} is {scrolled}px wide at {width}px"
        expect(page.locator("main")).to_contain_text("Die Seite muss eine Zahl ab 1 sein.")
        assert not failures, "axe-core (WCAG 2.1 A/AA) found:\n" + "\n".join(failures)
    finally:
        context.close()
