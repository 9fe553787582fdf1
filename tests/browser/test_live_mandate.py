"""The mandate page follows what the council does, in real Chromium against the real server.

A council member starts the review of a submitted mandate on its page in one browser;
a citizen who has the page open in another sees the new status and timeline entry
without reloading.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_cosign_flow import sign_in

pytestmark = pytest.mark.browser


def submitted_mandate(base: str) -> str:
    """The demo's mandate that reached its quorum and waits for the council."""
    listing = httpx.get(f"{base}/api/v1/municipalities/demo/mandates?status=submitted").json()
    return f"{base}/mandates/{listing['items'][0]['id']}"


def test_the_citizens_open_page_shows_the_councils_move_live(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    citizen = browser.new_context(locale="de-DE")
    council = browser.new_context(locale="de-DE")
    try:
        url = submitted_mandate(live_server)
        watching = citizen.new_page()
        # The stream is open (its answer has come) before the council acts.
        with watching.expect_response(lambda r: "/timeline/stream" in r.url) as stream:
            watching.goto(url)
        assert stream.value.status == 200
        expect(watching.locator("#status-badge")).to_have_text("Beim Rat eingereicht")
        entries_before = watching.locator("#timeline [data-entry-id]").count()
        # Anything that survives until the end proves the page was never reloaded.
        watching.evaluate("window.stillTheSamePage = true")

        page = council.new_page()
        sign_in(page, live_server, "rat@demo.example", "Ratsmitglied Schulz")
        page.goto(url)
        page.get_by_label("Prüfung beginnen").check()
        page.get_by_label("Begründung, sichtbar auf der öffentlichen Zeitleiste").fill(
            "Wir sehen uns den Auftrag im Bauausschuss an."
        )
        page.get_by_role("button", name="Entscheidung speichern").click()
        expect(page.locator("#status-badge")).to_have_text("In Prüfung")

        expect(watching.locator("#status-badge")).to_have_text("In Prüfung", timeout=10_000)
        newest = watching.locator("#timeline [data-entry-id]").last
        expect(newest).to_contain_text("Status: In Prüfung.", timeout=10_000)
        expect(newest).to_contain_text("Wir sehen uns den Auftrag im Bauausschuss an.")
        expect(watching.locator("#timeline [data-entry-id]")).to_have_count(entries_before + 1)
        # Signing stopped with the review: the section was replaced by the server's own.
        expect(watching.get_by_role("button", name="Diesen Auftrag mitzeichnen")).to_have_count(0)
        assert watching.evaluate("window.stillTheSamePage") is True
        ids = watching.locator("#timeline [data-entry-id]").evaluate_all(
            "items => items.map(item => item.dataset.entryId)"
        )
        assert len(ids) == len(set(ids)), f"an entry shown twice: {ids}"
        watching.reload()
        reloaded = watching.locator("#timeline [data-entry-id]").evaluate_all(
            "items => items.map(item => item.dataset.entryId)"
        )
        assert ids == reloaded
    finally:
        citizen.close()
        council.close()
