"""A discussion follows what people write, in real Chromium against the real server.

A citizen posts a comment through the mandate page's form in one browser; a reader who
has the same page open in another sees it appear without reloading.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_cosign_flow import sign_in

pytestmark = pytest.mark.browser


def collecting_mandate(base: str) -> str:
    listing = httpx.get(f"{base}/api/v1/municipalities/demo/mandates?status=collecting").json()
    return f"{base}/mandates/{listing['items'][0]['id']}"


def test_a_comment_appears_live_on_another_open_page(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    reader = browser.new_context(locale="de-DE")
    writer = browser.new_context(locale="de-DE")
    try:
        url = collecting_mandate(live_server)
        watching = reader.new_page()
        with watching.expect_response(lambda r: "/stream" in r.url and "/threads/" in r.url):
            watching.goto(url)
        expect(watching.locator("#discussion[data-live-connected]")).to_have_count(1)
        watching.evaluate("window.stillTheSamePage = true")

        page = writer.new_page()
        sign_in(page, live_server, "anna@demo.example", "Anna Berger")
        page.goto(url)
        form = page.locator("#discussion-form")
        form.get_by_label("Dein Kommentar (Markdown)").fill("Ein **starkes** Argument dafür.")
        form.get_by_label("Dafür").check()
        form.get_by_role("button", name="Kommentar veröffentlichen").click()
        expect(page.locator("#discussion-comments")).to_contain_text("Ein starkes Argument")

        posted = watching.locator("#discussion-comments .comment").filter(
            has_text="Ein starkes Argument dafür."
        )
        expect(posted).to_have_count(1, timeout=10_000)
        expect(posted.locator("strong")).to_have_text("starkes")
        expect(posted.locator(".stance")).to_have_text("Dafür")
        expect(posted).to_contain_text("Anna Berger")
        assert watching.evaluate("window.stillTheSamePage") is True
    finally:
        reader.close()
        writer.close()
