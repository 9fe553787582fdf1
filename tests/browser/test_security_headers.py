"""The page policy in real Chromium: our pages live within it, other sites cannot frame them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from server.security_headers import PERMISSIONS
from tests.browser.test_cosign_flow import sign_in, token
from tests.browser.test_passkeys import collecting_mandate
from tests.browser.test_vote_flow import close_vote, council_token, open_vote

# Reported as console errors, so one listener catches them with everything else.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI} `
    + `${event.sourceFile}:${event.lineNumber}`);
});
"""


def watch(context, page) -> list[str]:  # type: ignore[no-untyped-def]
    """Everything the browser complains about on `page`: CSP, header parsing, scripts."""
    problems: list[str] = []
    context.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda m: problems.append(f"{m.text} {m.location}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Header complaints (an unknown Permissions-Policy feature) come from the browser
    # itself, not from the page's console.
    cdp = context.new_cdp_session(page)
    # (Failed loads come from the network source, and through the console with their URL.)
    cdp.on(
        "Log.entryAdded",
        lambda e: (
            problems.append(e["entry"]["text"])
            if e["entry"]["level"] in {"error", "warning"} and e["entry"]["source"] != "network"
            else None
        ),
    )
    cdp.send("Log.enable")
    return problems


@pytest.mark.browser
def test_the_main_pages_work_within_their_policy(  # type: ignore[no-untyped-def]
    browser, live_server: str, live_dir: Path
) -> None:
    council = council_token(live_dir)
    vote = open_vote(live_server, council, rule="greedy", budget_cents=100_000_00)
    mandate_id = collecting_mandate(live_server)
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        problems = watch(context, page)
        page.goto(f"{live_server}/sign-in")
        page.get_by_role("button", name="Mit Passkey anmelden").wait_for()
        # Chromium knows every feature the header names, and grants only passkeys.
        known = page.evaluate("document.featurePolicy.features()")
        assert {f.split("=")[0] for f in PERMISSIONS.split(", ")} <= set(known)
        allowed = set(page.evaluate("document.featurePolicy.allowedFeatures()"))
        assert {"publickey-credentials-get", "publickey-credentials-create"} <= allowed
        assert not allowed & {"camera", "microphone", "geolocation", "payment", "usb"}
        sign_in(page, live_server, "cora.csp@example.org", "Cora CSP")
        page.goto(f"{live_server}/m/demo")
        page.locator(".progress-bar rect").first.wait_for()

        # The live timeline: a signature elsewhere moves the count and the bar.
        page.goto(f"{live_server}/mandates/{mandate_id}")
        count = page.locator("#live-count [data-count]")
        before = count.inner_text()
        bar = page.locator("#live-count .progress-bar rect")
        width = bar.get_attribute("width")
        signed = httpx.post(
            f"{live_server}/api/v1/mandates/{mandate_id}/signatures",
            headers={"Authorization": f"Bearer {token(live_dir, 'carl.csp@example.org')}"},
        )
        assert signed.status_code == 201, signed.text
        count = page.locator("#live-count [data-count]")
        expect(count).not_to_have_text(before, timeout=10_000)
        bar = page.locator("#live-count .progress-bar rect")
        expect(bar).not_to_have_attribute("width", width, timeout=10_000)

        page.goto(f"{live_server}/account/security?lang=en")
        page.get_by_role("button", name="Add a passkey").wait_for()

        page.goto(f"{live_server}/votes/{vote['id']}?lang=en")
        page.get_by_label("I live in Musterstadt").check()
        page.get_by_role("button", name="Confirm and vote").click()
        page.get_by_label(re.compile("^Spielplatz")).check()
        page.locator("#meter").filter(has_text="Left: €40,000.00").wait_for()
        page.get_by_role("button", name="Cast my ballot").click()
        page.locator("#receipt-code").wait_for()

        close_vote(live_server, council, vote["id"])
        published = httpx.post(
            f"{live_server}/api/v1/votes/{vote['id']}/transitions",
            json={"to": "published"},
            headers={"Authorization": f"Bearer {council}"},
        )
        assert published.status_code in {200, 409}, published.text  # the clock may be first
        page.goto(f"{live_server}/votes/{vote['id']}/result?lang=en")
        assert page.locator("figure.chart svg rect").count() == len(vote["options"])
        # The site has no icon; the browser's asking for one is no concern of the policy.
        assert [p for p in problems if "/favicon.ico" not in p] == []
    finally:
        context.close()


@contextmanager
def elsewhere(body: str) -> Iterator[str]:
    """Another origin (another port on this machine) serving `body` as its page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.browser
def test_another_site_cannot_frame_a_page(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    target = f"{live_server}/m/demo"
    context = browser.new_context()
    try:
        page = context.new_page()
        with elsewhere(
            f'<!doctype html><title>Elsewhere</title><iframe src="{target}"></iframe>'
        ) as url:
            with page.expect_response(target) as framed:
                page.goto(url)
            assert framed.value.status == 200
            page.wait_for_load_state("load")
        frame = page.frames[1]
        assert frame.evaluate("document.querySelector('main')") is None
        assert "Musterstadt" not in frame.content()
    finally:
        context.close()


def test_the_real_server_does_not_name_its_software(live_server: str) -> None:
    for path in ("/sign-in", "/api/v1/health", "/static/auftrag.css", "/nowhere"):
        response = httpx.get(f"{live_server}{path}")
        assert "server" not in response.headers, path
        assert response.headers["x-frame-options"] == "DENY"
