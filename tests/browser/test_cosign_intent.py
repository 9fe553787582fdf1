"""Co-sign pressed while signed out, in real Chromium: sign-in carries it and does it.

The boxes ticked on the way (where she lives, email) go with it: the pages of sign-in say
so, and signing in co-signs without a further click.

Once by emailed link (read from the demo's dev mailbox), once by passkey (a CDP virtual
authenticator); each ends on the mandate's page, signed and counted, with the confirmation.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.accessibility import Axe, report
from tests.browser.authenticator import add_virtual_authenticator
from tests.browser.mailbox import sign_up_by_link

pytestmark = pytest.mark.browser

DONE = "You co-signed this mandate. Thank you!"


def collecting(base: str) -> list[int]:
    listing = httpx.get(f"{base}/api/v1/municipalities/demo/mandates?status=collecting").json()
    return [m["id"] for m in listing["items"]]


def count(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator("#live-count [data-count]").inner_text().replace(",", ""))


def accessible(page, axe: Axe) -> None:  # type: ignore[no-untyped-def]
    """The page as it is now breaks no WCAG 2.1 AA rule axe checks."""
    violations = axe.violations(page)
    assert not violations, report(page.url, violations)


def press_co_sign(page, base: str, mandate_id: int) -> int:  # type: ignore[no-untyped-def]
    """Signed out on the mandate's page: tick the boxes, press the button; the count."""
    page.goto(f"{base}/mandates/{mandate_id}")
    before = count(page)
    page.get_by_label("I live in Musterstadt").check()
    page.get_by_label("Also tell me by email").check()
    page.get_by_role("button", name="Confirm and co-sign").click()
    page.get_by_text(re.compile("When you have signed in, you co-sign")).wait_for()
    page.get_by_text(
        re.compile(
            "If you have not yet said where you live, you state that you live in Musterstadt"
        )
    ).wait_for()
    return before


def signed_on_the_mandate(page, mandate_id: int, before: int) -> None:  # type: ignore[no-untyped-def]
    """Back on the mandate, co-signed by signing in: confirmed and counted, nothing to press."""
    page.wait_for_url(re.compile(rf"/mandates/{mandate_id}\?signed=1"))
    page.get_by_text(DONE).wait_for()
    assert page.get_by_text("You have co-signed this mandate.").is_visible()
    assert page.locator("#intent-prompt").count() == 0
    assert count(page) == before + 1


def test_the_emailed_link_carries_the_co_signature(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str
) -> None:
    mandate_id = collecting(live_server)[0]
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        before = press_co_sign(page, live_server, mandate_id)
        accessible(page, axe)
        email = "ines.intent@example.org"
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Display name (new accounts)").fill("Ines Intent")
        page.get_by_role("button", name="Email me a sign-in link").click()
        page.get_by_text(
            re.compile("Once you have signed in with the link, you co-sign")
        ).wait_for()
        page.get_by_role("link", name="Open the dev mailbox").click()
        mail = page.locator("article.mail", has=page.locator(".mail-to", has_text=email)).first
        mail.get_by_role("link").click()
        # The confirmation says all that signing in will do, for her as she is.
        page.get_by_text("You state that you live in Musterstadt.").wait_for()
        page.get_by_text("You agree to emails:").wait_for()
        accessible(page, axe)
        # Pressed twice, as an impatient hand does: once.js sends it once, so the one-time
        # link is not used up by the second press and shown as invalid.
        page.get_by_role("button", name="Sign in and co-sign").dblclick()
        # No passkey yet: offered on the way, and skipped.
        page.get_by_role("link", name="Not now, continue").click()
        signed_on_the_mandate(page, mandate_id, before)
        accessible(page, axe)
    finally:
        context.close()


def test_the_passkey_carries_the_co_signature(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    mandate_id = collecting(live_server)[-1]
    name = "Pia Passkey"
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        add_virtual_authenticator(context, page)
        # An account with a passkey, then signed out.
        email = "pia.passkey@example.org"
        page.goto(f"{live_server}/sign-in?next=/account")
        page.get_by_label("Email address").fill(email)
        sign_up_by_link(page, email, name)
        page.get_by_role("button", name="Add a passkey").click()
        page.wait_for_url(f"{live_server}/account")
        page.get_by_role("button", name=re.compile(f"Sign out \\({name}\\)")).click()

        # Autofill would sign in at once; this browser has none, so the button does it.
        page.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = null")
        before = press_co_sign(page, live_server, mandate_id)
        page.get_by_role("button", name="Sign in with a passkey").click()
        signed_on_the_mandate(page, mandate_id, before)
        page.get_by_role("button", name=re.compile(f"Sign out \\({name}\\)")).wait_for()
    finally:
        context.close()
