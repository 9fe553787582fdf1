"""A municipality's own face and its legal pages in real Chromium: crest and colour in the
header, and axe-core's WCAG 2.1 A and AA rules on the landing page, a municipality's page
and the three legal pages, at 1280 and at 320 pixels wide (WCAG 1.4.10, reflow)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.browser.accessibility import Axe, report
from tests.browser.test_cosign_flow import token
from tests.support import AUFTRAG, server_environment

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

COLOR = "#7a1f3d"


def _crest() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGBA", (120, 140), (0, 0, 0, 0))
    image.paste((122, 31, 61, 255), (10, 10, 110, 130))
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def dressed(live_server: str, live_dir: Path) -> str:
    """The demo town with its colour, crest, welcome and legal texts, and a second
    municipality beside it, so that the landing page lists them."""
    admin = {"Authorization": f"Bearer {token(live_dir, 'admin@demo.example')}"}
    patched = httpx.patch(
        f"{live_server}/api/v1/municipalities/demo",
        headers=admin,
        json={
            "primary_color": COLOR,
            "welcome_text": "Willkommen in **Musterstadt**: sag uns, was die Stadt tun soll.",
            "impressum_text": "Stadt Musterstadt\n\nMarkt 1, 12345 Musterstadt\n\n"
            "Vertreten durch die Bürgermeisterin",
            "privacy_contact_text": "Datenschutzbeauftragte: datenschutz@musterstadt.example",
            "accessibility_status": "partial",
            "accessibility_barriers": "PDF-Anhänge sind nicht immer barrierefrei",
            "accessibility_reviewed_on": "2026-11-02",
        },
        timeout=30,
    )
    assert patched.status_code == 200, patched.text
    put = httpx.put(
        f"{live_server}/api/v1/municipalities/demo/coat-of-arms",
        headers={**admin, "Content-Type": "image/png"},
        content=_crest(),
        timeout=30,
    )
    assert put.status_code == 200, put.text
    # A second municipality, founded as an operator founds one, on the live server's data.
    for command in (
        ["operator", "grant", "betrieb@demo.example"],
        ["municipality", "create", "beispielheim", "--name", "Beispielheim", "--state", "BY"]
        + ["--official-key", "09162000", "--as", "betrieb@demo.example"],
    ):
        subprocess.run(
            [str(AUFTRAG), *command],
            cwd=live_dir,
            env=server_environment(PYTHONWARNINGS="ignore"),
            capture_output=True,
            check=True,
        )
    return live_server


@pytest.mark.parametrize("width", [1280, 320])
def test_face_and_legal_pages_pass_axe(  # type: ignore[no-untyped-def]
    browser, axe: Axe, dressed: str, width: int
) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        failures = []
        for path in (
            "/",
            "/?q=muster",
            "/m/demo",
            "/m/demo/impressum",
            "/m/demo/privacy-contact",
            "/m/demo/accessibility",
        ):
            response = page.goto(f"{dressed}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            if violations := axe.violations(page):
                failures.append(report(f"{path} at {width}px", violations))
        # The barrier form sent empty: its summary and the field's error.
        page.get_by_role("button", name="Meldung senden").click()
        page.locator("#error-summary").wait_for()
        if violations := axe.violations(page):
            failures.append(report(f"barrier form with errors at {width}px", violations))
        assert not failures, "axe-core (WCAG 2.1 A/AA) found:\n" + "\n".join(failures)
    finally:
        context.close()


def test_the_header_carries_the_crest_and_the_colour(  # type: ignore[no-untyped-def]
    browser, dressed: str
) -> None:
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{dressed}/m/demo")
        crest = page.locator("header img.crest")
        assert crest.get_attribute("alt") == "Wappen von Musterstadt"
        assert crest.evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.title().endswith("· Musterstadt")
        brand = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
        )
        assert brand == COLOR
        assert "Willkommen in" in page.locator(".welcome").inner_text()
        footer = page.locator("footer")
        for name in ("Impressum", "Datenschutz-Kontakt", "Erklärung zur Barrierefreiheit"):
            assert footer.get_by_role("link", name=name).count() == 1
        assert footer.get_by_role("link", name="Demo: Postfach").count() == 1
    finally:
        context.close()
