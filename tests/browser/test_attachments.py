"""A council member attaches files from the mandate page in real Chromium."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.test_cosign_flow import sign_in
from tests.factories import files

pytestmark = pytest.mark.browser


def test_the_council_attaches_a_file_and_sees_a_refusal_in_place(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    listing = httpx.get(f"{live_server}/api/v1/municipalities/demo/mandates").json()
    mandate_id = listing["items"][0]["id"]
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        sign_in(page, live_server, "rat@demo.example", "Ratsmitglied Schulz")
        page.goto(f"{live_server}/mandates/{mandate_id}")
        section = page.locator("section#attachments")
        section.get_by_text("Datei anhängen").first.click()
        section.get_by_label("Datei", exact=True).set_input_files(
            files=[
                {"name": "Prüfbericht.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}
            ]
        )
        section.get_by_role("button", name="Datei anhängen").click()
        page.wait_for_url(f"{live_server}/mandates/{mandate_id}#attachments")
        row = page.locator("section#attachments tbody tr", has_text="Prüfbericht.pdf")
        assert "PDF" in row.inner_text()
        link = row.get_by_role("link", name="Prüfbericht.pdf")
        served = httpx.get(live_server + str(link.get_attribute("href")))
        assert served.headers["content-disposition"].startswith("attachment;")
        assert served.content == files.pdf()

        section.get_by_text("Datei anhängen").first.click()
        section.get_by_label("Datei", exact=True).set_input_files(
            files=[{"name": "Bericht.pdf", "mimeType": "application/pdf", "buffer": files.HTML}]
        )
        section.get_by_role("button", name="Datei anhängen").click()
        error = page.locator("#attachment-file-error")
        assert "kein PDF" in error.inner_text()
        assert page.get_by_label("Datei", exact=True).get_attribute("aria-invalid") == "true"
    finally:
        context.close()
