"""A moderator hides a comment, in real Chromium against the real server: a citizen who
has the mandate's page open sees it lose the comment's text without reloading, and the
public log then shows the decision, never the text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_cosign_flow import sign_in
from tests.support import AUFTRAG, server_environment

pytestmark = pytest.mark.browser

SECRET = "Dieser Nachbar heißt Egon und wohnt in Hausnummer 7"


def _token(live_dir: Path, email: str, role: str = "citizen") -> str:
    done = subprocess.run(
        [AUFTRAG, "token", "--email", email, "--role", role, "--municipality", "demo"]
        + ["--verified"],
        cwd=live_dir,
        env=server_environment(PYTHONWARNINGS="ignore"),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_hidden_comment_disappears_live_from_an_open_page(  # type: ignore[no-untyped-def]
    browser, live_server: str, live_dir: Path
) -> None:
    listing = httpx.get(f"{live_server}/api/v1/municipalities/demo/mandates?status=collecting")
    mandate = listing.json()["items"][0]
    url = f"{live_server}/mandates/{mandate['id']}"
    writer = {"Authorization": f"Bearer {_token(live_dir, 'egon-kritiker@example.org')}"}
    posted = httpx.post(
        f"{live_server}/api/v1/threads/{mandate['thread_id']}/comments",
        json={"body": SECRET, "stance": "against"},
        headers=writer,
    )
    assert posted.status_code == 201, posted.text
    comment_id = posted.json()["id"]

    citizen = browser.new_context(locale="de-DE")
    moderator = browser.new_context(locale="de-DE")
    try:
        watching = citizen.new_page()
        with watching.expect_response(lambda r: "/stream" in r.url and "/threads/" in r.url):
            watching.goto(url)
        expect(watching.locator("#discussion[data-live-connected]")).to_have_count(1)
        expect(watching.locator(f"#comment-{comment_id}")).to_contain_text("Hausnummer 7")
        watching.evaluate("window.stillTheSamePage = true")

        page = moderator.new_page()
        sign_in(page, live_server, "mona@example.org", "Mona Moderatorin")
        # The operator makes her a moderator of the town (the command `auftrag token` uses).
        _token(live_dir, "mona@example.org", "moderator")
        page.goto(url)
        decisions = page.locator(f"#comment-{comment_id} .moderator-actions")
        decisions.get_by_label("Öffentliche Begründung").first.fill("Persönliche Daten Dritter")
        decisions.get_by_role("button", name="Ausblenden").click()
        expect(page.locator(f"#comment-{comment_id}")).not_to_contain_text("Hausnummer 7")

        gone = watching.locator(f"#comment-{comment_id}")
        expect(gone).not_to_contain_text("Hausnummer 7", timeout=10_000)
        expect(gone).to_contain_text("Persönliche Daten Dritter")
        assert watching.evaluate("window.stillTheSamePage") is True

        log = page.goto(f"{live_server}/m/demo/moderation-log")
        assert log is not None and log.status == 200
        expect(page.locator("#moderation-log")).to_contain_text("Persönliche Daten Dritter")
        assert "Hausnummer" not in page.content()
        assert not re.search("Egon|Mona Moderatorin", page.locator("main").inner_text())
    finally:
        citizen.close()
        moderator.close()
