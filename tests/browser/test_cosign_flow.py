"""A citizen's first visit, in real Chromium against the real server.

Sign in through the dev mailbox link, launch and publish a mandate, then a second
person co-signs and the first sees the count change without reloading.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.support import AUFTRAG, server_environment

pytestmark = pytest.mark.browser


def sign_in(page, base: str, email: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/sign-in")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Anzeigename (neue Konten)").fill(name)
    page.get_by_role("button", name="Anmeldelink per E-Mail senden").click()
    page.get_by_role("heading", name="Sieh in dein Postfach").wait_for()
    page.get_by_role("link", name="Entwickler-Postfach öffnen").click()
    mail = page.locator("article.mail", has=page.locator(".mail-to", has_text=email)).first
    mail.get_by_role("link").click()
    page.get_by_role("button", name="Jetzt anmelden").click()
    page.get_by_role("button", name=re.compile(f"Abmelden \\({name}\\)")).wait_for()


def token(live_dir: Path, email: str) -> str:
    """A bearer token from the live server's own secret, as an operator would mint it."""
    done = subprocess.run(
        [str(AUFTRAG), "token", "--email", email, "--municipality", "demo", "--verified"],
        cwd=live_dir,
        env=server_environment(PYTHONWARNINGS="ignore"),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_sign_in_launch_publish_and_see_cosignature_live(  # type: ignore[no-untyped-def]
    browser, live_server: str, live_dir: Path
) -> None:
    anna = browser.new_context(locale="de-DE")
    ben = browser.new_context(locale="de-DE")
    try:
        page = anna.new_page()
        sign_in(page, live_server, "anna.browser@example.org", "Anna Browser")

        page.goto(f"{live_server}/m/demo")
        page.get_by_role("link", name="Auftrag starten").click()
        page.get_by_label("Ich wohne in Musterstadt").check()
        page.get_by_role("button", name="Entwurf speichern").click()
        title = page.get_by_label("Titel")
        assert title.get_attribute("aria-invalid") == "true"
        assert page.locator("#title-error").inner_text() == "Der Titel darf nicht leer sein."

        title.fill("Bürgerauftrag Energieeffizienz")
        page.get_by_label("Zusammenfassung").fill("Die Stadt soll Energie sparen.")
        page.get_by_label("Volltext").fill("## Plan\n\n- LED-Straßenlicht\n- Dämmung")
        page.get_by_label("Stadtteil").select_option("altstadt")
        page.get_by_label("Themen").fill("Energie, Klima")
        page.get_by_role("button", name="Entwurf speichern").click()
        page.get_by_role("heading", name="Bürgerauftrag Energieeffizienz").wait_for()
        assert page.locator(".badge").first.inner_text() == "Entwurf"

        page.get_by_role("button", name="Zur Mitzeichnung veröffentlichen").click()
        count = page.locator("#live-count [data-count]")
        assert count.inner_text() == "1"
        mandate_url = page.url

        other = ben.new_page()
        sign_in(other, live_server, "ben.browser@example.org", "Ben Browser")
        other.goto(mandate_url)
        other.get_by_label("Ich wohne in Musterstadt").check()
        other.get_by_role("button", name="Bestätigen und mitzeichnen").click()
        other.locator("#signed-confirmation", has_text="Danke!").wait_for()
        other.locator("p.signed", has_text="Du hast diesen Auftrag mitgezeichnet.").wait_for()
        assert other.locator("#live-count [data-count]").inner_text() == "2"

        # Anna's page was never reloaded: the count arrives over the event stream.
        expect(page.locator("#live-count [data-count]")).to_have_text("2", timeout=10_000)
        assert page.url == mandate_url

        # A burst: 13 more people sign at once, passing 25 % and 50 % of the quorum of 30.
        tokens = [token(live_dir, f"burst{n}@example.org") for n in range(13)]
        api = mandate_url.replace("/mandates/", "/api/v1/mandates/") + "/signatures"
        with ThreadPoolExecutor(max_workers=13) as pool:
            codes = list(
                pool.map(
                    lambda t: httpx.post(api, headers={"Authorization": f"Bearer {t}"}), tokens
                )
            )
        assert [c.status_code for c in codes] == [201] * 13
        expect(page.locator("#live-count [data-count]")).to_have_text("15", timeout=10_000)
        expect(page.locator("#timeline .kind-milestone")).to_have_count(2, timeout=10_000)
        live_ids = page.locator("#timeline [data-entry-id]").evaluate_all(
            "items => items.map(item => item.dataset.entryId)"
        )
        assert len(live_ids) == len(set(live_ids)), f"an entry shown twice: {live_ids}"
        page.reload()
        reloaded = page.locator("#timeline [data-entry-id]").evaluate_all(
            "items => items.map(item => item.dataset.entryId)"
        )
        assert live_ids == reloaded
    finally:
        anna.close()
        ben.close()
