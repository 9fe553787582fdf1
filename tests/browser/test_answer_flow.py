"""The council's work in real Chromium against the real server: a council member assigns
a submitted mandate and answers it through the page's forms, and a citizen with the
mandate open sees the answer arrive without reloading."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_cosign_flow import sign_in

pytestmark = pytest.mark.browser

PARK = "Mehr Bänke und Schatten im Stadtpark"


def test_the_council_assigns_and_answers_and_the_citizen_sees_it_live(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    council = browser.new_context(locale="de-DE")
    citizen = browser.new_context(locale="de-DE")
    try:
        reader = citizen.new_page()
        reader.goto(f"{live_server}/m/demo")
        reader.get_by_role("link", name=PARK).first.click()
        reader.get_by_role("heading", name="Offizielle Antworten").wait_for()
        expect(reader.locator("#answers")).to_contain_text("Noch keine offizielle Antwort.")
        expect(reader.locator("#service-promise [data-light]")).to_have_text("Nicht begonnen")
        mandate_url = reader.url
        # Anything that survives until the end proves the page was never reloaded.
        reader.evaluate("window.stillTheSamePage = true")

        page = council.new_page()
        sign_in(page, live_server, "rat@demo.example", "Ratsmitglied Schulz")
        page.goto(mandate_url)
        page.get_by_label("Fachbereich", exact=True).select_option(label="Amt für Grünflächen")
        page.get_by_label("Verantwortliches Ratsmitglied (optional)").select_option(
            label="Ratsmitglied Schulz (Ratsmitglied)"
        )
        page.get_by_role("button", name="Zuweisung speichern").click()
        expect(page.locator("#answers")).to_contain_text(
            "Zugewiesen an Amt für Grünflächen; verantwortlich: Ratsmitglied Schulz"
        )

        # A mistake first: it comes back next to the field, the text typed kept.
        page.get_by_label("Adresse der Vorlage im Ratsinformationssystem, optional").fill(
            "javascript:alert(1)"
        )
        page.get_by_role("button", name="Antwort veröffentlichen").click()
        body = page.get_by_label(
            "Antwort (Markdown), öffentlich mit deiner Rolle und dem Fachbereich gezeigt"
        )
        assert body.get_attribute("aria-invalid") == "true"
        expect(page.locator("#answer-body-error")).to_have_text("Schreib die Antwort.")
        expect(page.locator("#answer-council_paper_url-error")).to_be_visible()

        body.fill("Wir prüfen **zwölf Bänke** und vier Sonnensegel.")
        page.get_by_label("Adresse der Vorlage im Ratsinformationssystem, optional").fill("")
        page.get_by_role("button", name="Antwort veröffentlichen").click()
        expect(page.locator("#answers .official-answer")).to_have_count(1)
        expect(page.locator("#answers")).to_contain_text("von Ratsmitglied, Amt für Grünflächen")

        # The citizen's page was never reloaded: the answer arrives in its section and on
        # the timeline, and the traffic light turns from red to yellow with the kept promise.
        answered = reader.locator("#timeline .kind-response")
        expect(answered).to_contain_text("Offizielle Antwort: Erste Antwort", timeout=10_000)
        expect(reader.locator("#answers .official-answer")).to_have_count(1, timeout=10_000)
        expect(reader.locator("#answers .official-answer")).to_contain_text("zwölf Bänke")
        light = reader.locator("#service-promise [data-light]")
        expect(light).to_have_attribute("data-light", "yellow", timeout=10_000)
        expect(light).to_have_text("In Bearbeitung")
        expect(reader.locator("#service-promise")).to_contain_text("wie zugesagt")
        expect(reader.locator("#status-badge")).to_have_text("In Prüfung")
        assert reader.evaluate("window.stillTheSamePage") is True
        expect(answered.locator("strong", has_text="zwölf Bänke")).to_be_visible()
        expect(reader.locator("#timeline .kind-assignment")).to_contain_text(
            "Zugewiesen an Amt für Grünflächen"
        )
        # An update moves no status: its own event brings it.
        page.get_by_label("Art der Antwort").select_option("update")
        body.fill("Die Bänke sind bestellt.")
        page.get_by_role("button", name="Antwort veröffentlichen").click()
        expect(page.locator("#answers .official-answer")).to_have_count(2)
        expect(reader.locator("#timeline .kind-response")).to_have_count(2, timeout=10_000)
        expect(reader.locator("#timeline .kind-response").last).to_contain_text(
            "Offizielle Antwort: Zwischenstand"
        )
        assert reader.url == mandate_url
        reader.reload()
        expect(reader.locator("#answers .official-answer").first).to_contain_text("zwölf Bänke")
    finally:
        council.close()
        citizen.close()
