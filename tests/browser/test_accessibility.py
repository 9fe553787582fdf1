"""The main pages pass axe-core's WCAG 2.1 A and AA rules, in real Chromium against the
demo server, as a visitor, a citizen and a council member.

Each test visits its pages one after the other and fails once, listing every page with
its violations, so one run shows all that is left to fix.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.browser.accessibility import Axe, report
from tests.browser.test_cosign_flow import sign_in, token
from tests.factories import files

# A demo server to start and some thirty pages each: on a busy machine more than the
# default two minutes.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

FOUNTAINS = "Öffentliche Trinkbrunnen in der Innenstadt"
CAR_PARK = "Parkhaus am Hafen abreißen"
PARK = "Mehr Bänke und Schatten im Stadtpark"
BUDGET_VOTE = "Bürgerhaushalt Nordviertel 2027"  # open, in the Nordviertel
RANKED_VOTE = "Welche Maßnahme zuerst?"  # published, with its result


def _mandate_id(base: str, title: str) -> int:
    listed = httpx.get(f"{base}/api/v1/municipalities/demo/mandates", params={"q": title})
    assert listed.status_code == 200, listed.text
    (found,) = [m["id"] for m in listed.json()["items"] if m["title"] == title]
    return int(found)


def _vote_id(base: str, title: str) -> int:
    listed = httpx.get(f"{base}/api/v1/municipalities/demo/votes")
    assert listed.status_code == 200, listed.text
    (found,) = [v["id"] for v in listed.json()["items"] if v["title"] == title]
    return int(found)


def _first_link(page, base: str, url: str, selector: str) -> str:  # type: ignore[no-untyped-def]
    """The first matching link on a page, as an absolute URL, to visit next."""
    page.goto(f"{base}{url}")
    href = page.locator(selector).first.get_attribute("href")
    assert href, f"no {selector} on {url}"
    return href if href.startswith("http") else base + href


def _violations_here(page, axe: Axe, label: str) -> str | None:  # type: ignore[no-untyped-def]
    """axe's report of the page as it is, every disclosure opened first: axe checks only
    what is shown, and the council's forms wait in closed <details>."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = axe.violations(page)
    return report(label, violations) if violations else None


def _audit(page, axe: Axe, urls: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Each page's report of violations, none for a page that has none."""
    failures = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response}"
        page.wait_for_load_state("load")
        if found := _violations_here(page, axe, url):
            failures.append(found)
    return failures


def _passes(failures: list[str]) -> None:
    assert not failures, "axe-core (WCAG 2.1 A/AA) found:\n" + "\n".join(failures)


@pytest.fixture(scope="module")
def fountains(live_server: str, live_dir: Path) -> int:
    """The demo mandate with answers, costs and a plan, given an attachment as well."""
    mandate_id = _mandate_id(live_server, FOUNTAINS)
    council = token(live_dir, "rat@demo.example")
    uploaded = httpx.post(
        f"{live_server}/api/v1/mandates/{mandate_id}/attachments",
        headers={"Authorization": f"Bearer {council}"},
        files={"file": ("Standorte.pdf", files.pdf(), "application/pdf")},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    return mandate_id


def test_public_pages_as_a_visitor(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str, fountains: int
) -> None:
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        base = live_server
        cost_analysis = _first_link(page, base, f"/mandates/{fountains}", "a[href*='/costs/']")
        failures = _audit(
            page,
            axe,
            [
                f"{base}/",
                f"{base}/m/demo",
                f"{base}/m/demo?status=collecting&district=altstadt",
                f"{base}/mandates/{fountains}",
                f"{base}/mandates/{_mandate_id(base, CAR_PARK)}",
                f"{base}/mandates/{_mandate_id(base, CAR_PARK)}/ratings",
                cost_analysis,
                f"{base}/m/demo/votes",
                f"{base}/votes/{_vote_id(base, BUDGET_VOTE)}",
                f"{base}/votes/{_vote_id(base, RANKED_VOTE)}",
                f"{base}/privacy",
                f"{base}/sign-in",
            ],
        )
        # The sign-in form refusing an address, its error next to the field.
        page.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
        page.get_by_role("button", name="Anmeldelink per E-Mail senden").click()
        page.wait_for_load_state("load")
        if found := _violations_here(page, axe, "sign-in with an invalid address"):
            failures.append(found)
        # English last: choosing it sticks for the pages after.
        failures += _audit(page, axe, [f"{base}/?lang=en", f"{base}/mandates/{fountains}?lang=en"])
        _passes(failures)
    finally:
        context.close()


def test_wide_tables_on_a_phone(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str, fountains: int
) -> None:
    """Tables scroll sideways on a narrow screen; a keyboard must be able to scroll them."""
    context = browser.new_context(locale="de-DE", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        base = live_server
        cost_analysis = _first_link(page, base, f"/mandates/{fountains}", "a[href*='/costs/']")
        ranked = _vote_id(base, RANKED_VOTE)
        _passes(
            _audit(
                page, axe, [f"{base}/mandates/{fountains}", cost_analysis, f"{base}/votes/{ranked}"]
            )
        )
    finally:
        context.close()


def test_citizen_pages(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str, fountains: int
) -> None:
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        base = live_server
        # One of the demo's co-signers of the rejected car park, living in the Nordviertel,
        # where the budget vote is open.
        sign_in(page, base, "buerger1@demo.example", "Bürger:in 1")
        failures = _audit(
            page,
            axe,
            [
                f"{base}/m/demo",
                f"{base}/mandates/{fountains}",
                f"{base}/mandates/{_mandate_id(base, CAR_PARK)}",
                f"{base}/votes/{_vote_id(base, BUDGET_VOTE)}/ballot",
                f"{base}/me/mandates",
                f"{base}/account",
                f"{base}/account/security",
                f"{base}/m/demo/launch",
            ],
        )
        # The launch form sent empty: the error summary and each field's error.
        page.get_by_role("button", name="Entwurf speichern").click()
        page.locator("#error-summary").wait_for()
        if found := _violations_here(page, axe, "launch form with its errors"):
            failures.append(found)
        _passes(failures)
    finally:
        context.close()


def test_council_pages(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str, fountains: int
) -> None:
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        base = live_server
        sign_in(page, base, "rat@demo.example", "Ratsmitglied Schulz")
        cost_analysis = _first_link(page, base, f"/mandates/{fountains}", "a[href*='/costs/']")
        park = f"{base}/mandates/{_mandate_id(base, PARK)}"
        failures = _audit(
            page,
            axe,
            [
                f"{base}/m/demo/council",
                f"{base}/m/demo/council?overdue=true",
                f"{base}/mandates/{fountains}",
                cost_analysis,
                f"{base}/mandates/{fountains}/costs/new",
                f"{base}/mandates/{fountains}/attachments/new",
                # Submitted and not yet assigned: the assignment and answer forms show.
                park,
            ],
        )
        # An empty answer comes back with its error in place.
        page.get_by_role("button", name="Antwort veröffentlichen").click()
        page.locator("#answer-body-error").wait_for()
        if found := _violations_here(page, axe, "answer form with its error"):
            failures.append(found)
        _passes(failures)
    finally:
        context.close()


def test_the_check_reports_what_it_finds(browser, axe: Axe) -> None:  # type: ignore[no-untyped-def]
    """The helper itself: a page with known faults yields them, readably."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            "<html><body><main><img src='data:,'><p style='color:#ccc;background:#fff'>"
            "pale</p><input id='x'><input id='x'></main></body></html>"
        )
        found = axe.violations(page)
        text = report("about:blank", found)
    finally:
        context.close()
    assert {"html-has-lang", "image-alt", "color-contrast", "label"} <= {v["id"] for v in found}
    assert "[critical] image-alt: Images must have alternative text" in text
    assert "    - img: Fix any of the following:" in text
