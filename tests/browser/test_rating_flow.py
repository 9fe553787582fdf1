"""Rating a finished mandate in real Chromium against the real server: the form works
without JavaScript, refuses a missing score in place, and the summary follows."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_cosign_flow import sign_in

pytestmark = pytest.mark.browser


def _completed_mandate(base: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as client:
        listed = client.get("/api/v1/municipalities/demo/mandates", params={"status": "completed"})
        assert listed.status_code == 200, listed.text
        return int(listed.json()["items"][0]["id"])


def test_a_co_signer_rates_the_outcome_without_javascript(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    mandate_id = _completed_mandate(live_server)
    # One of the demo's co-signers of the completed mandate, in a browser without scripts.
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "buerger5@demo.example", "Bürger:in 5")
        page.goto(f"{live_server}/mandates/{mandate_id}")
        ratings = page.locator("section#ratings")
        expect(ratings.get_by_role("heading", level=2)).to_have_text(
            "Wie die Mitzeichnenden das Ergebnis bewerten"
        )
        expect(ratings).to_contain_text("Noch keine Bewertungen.")

        # Without a score the form comes back with the error next to the choices.
        ratings.get_by_label("Kommentar (freiwillig)").fill("Endlich **online** buchbar.")
        ratings.get_by_role("button", name="Ergebnis bewerten").click()
        error = page.locator("#score-error")
        expect(error).to_have_text(
            "Die Punktzahl ist eine ganze Zahl von 1 (sehr schlecht) bis 5 (sehr gut)."
        )
        expect(page.get_by_label("Kommentar (freiwillig)")).to_have_value(
            "Endlich **online** buchbar."
        )

        page.get_by_label("4 – gut").check()
        page.get_by_label("Meinen Namen bei meinem Kommentar zeigen").check()
        page.get_by_role("button", name="Ergebnis bewerten").click()
        page.wait_for_url(f"**/mandates/{mandate_id}#ratings")
        ratings = page.locator("section#ratings")
        expect(ratings.locator(".rating-average")).to_have_text(
            "4,0 von 5 im Schnitt, aus 1 Bewertung"
        )
        expect(ratings.locator(".rating-bars li").nth(1)).to_contain_text("1 Bewertung (100 %)")
        expect(ratings.locator(".rating-comments")).to_contain_text("Bürger:in 5")
        expect(ratings.locator(".rating-comments strong").first).to_have_text("4 – gut")
        expect(ratings.locator(".rating-comments .prose strong")).to_have_text("online")
        # Her rating stays editable: the form shows it chosen.
        expect(ratings.get_by_label("4 – gut")).to_be_checked()
        expect(ratings.get_by_role("button", name="Bewertung speichern")).to_be_visible()
        timeline = page.locator("#timeline .kind-ratings")
        expect(timeline).to_contain_text("4,0 von 5 im Schnitt, aus 1 Bewertung")
    finally:
        context.close()
