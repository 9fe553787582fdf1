"""The administration's people and settings pages on a phone, in real Chromium against the
demo server: nothing scrolls sideways at 320 px (WCAG 1.4.10), a search finds a person,
a granted role is confirmed on the page, and axe-core finds nothing at 320 and 1280 px."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import Axe, report
from tests.browser.test_cosign_flow import sign_in
from tests.support import AUFTRAG, server_environment

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

LONG_EMAIL = "maximiliane.mustermann-schulze-oberhausen@stadtverwaltung-musterhausen.example"


def _member(live_dir: Path, email: str) -> None:
    subprocess.run(
        [str(AUFTRAG), "create-user", "--email", email, "--municipality", "demo"]
        + ["--display-name", "Maximiliane Mustermann-Schulze"],
        cwd=live_dir,
        env=server_environment(PYTHONWARNINGS="ignore"),
        capture_output=True,
        text=True,
        check=True,
    )


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width}px wide at a 320px viewport"


def test_people_and_settings_on_a_phone(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str, live_dir: Path
) -> None:
    _member(live_dir, LONG_EMAIL)
    context = browser.new_context(locale="de-DE", viewport={"width": 320, "height": 800})
    failures: list[str] = []
    try:
        page = context.new_page()
        sign_in(page, live_server, "admin@demo.example", "Verwaltung")
        page.goto(f"{live_server}/m/demo/admin")
        page.get_by_role("link", name="Personen und Rollen, Einladungen").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Personen in")
        _fits(page)

        page.get_by_label("Nach Name oder E-Mail suchen").fill("mustermann-schulze")
        page.locator(".people-search").get_by_role("button").click()
        found = page.locator(".person")
        expect(found).to_have_count(1)
        expect(found.first).to_contain_text(LONG_EMAIL)
        _fits(page)

        page.get_by_label("E-Mail-Adresse der Person").fill(LONG_EMAIL)
        page.get_by_label("Rolle", exact=True).select_option("moderator")
        page.get_by_role("button", name="Rolle vergeben").click()
        expect(page.get_by_role("status")).to_have_text("Die Rolle ist vergeben.")
        _fits(page)
        page.get_by_label("E-Mail-Adresse der Person").fill("kein-at")
        page.get_by_role("button", name="Rolle vergeben").click()
        expect(page.locator("#roles-email-error")).to_be_visible()
        _fits(page)
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            for url in ("/m/demo/admin/people", "/m/demo/admin/settings"):
                page.goto(f"{live_server}{url}")
                if width == 320:
                    _fits(page)
                if found_here := axe.violations(page):
                    failures.append(report(f"{url} at {width}px", found_here))
    finally:
        context.close()
    assert not failures, "axe-core (WCAG 2.1 A/AA) found:\n" + "\n".join(failures)
