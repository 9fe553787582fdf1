"""Co-sign pressed while signed out, in real Chromium: sign-in carries it and does it.

The boxes ticked on the way (where she lives, email) are hers to confirm: sign-in lands
on the mandate's form filled in as it was, and her click co-signs.

Once by emailed link (read from the demo's dev mailbox), once by passkey (a CDP virtual
authenticator); each ends on the mandate's page, signed, with the confirmation.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.authenticator import add_virtual_authenticator
from tests.browser.mailbox import sign_up_by_link

pytestmark = pytest.mark.browser

DONE = "You co-signed this mandate. Thank you!"


def collecting(base: str) -> list[int]:
    listing = httpx.get(f"{base}/api/v1/municipalities/demo/mandates?status=collecting").json()
    return [m["id"] for m in listing["items"]]


def count(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator("#live-count [data-count]").inner_text().replace(",", ""))


def press_co_sign(page, base: str, mandate_id: int) -> int:  # type: ignore[no-untyped-def]
    """Signed out on the mandate's page: tick the boxes, press the button; the count."""
    page.goto(f"{base}/mandates/{mandate_id}")
    before = count(page)
    page.get_by_label("I live in Musterstadt").check()
    page.get_by_label("Also tell me by email").check()
    page.get_by_role("button", name="Confirm and co-sign").click()
    page.get_by_text(
        re.compile("When you have signed in, you confirm your co-signature")
    ).wait_for()
    return before


def confirm_on_the_mandate(page, mandate_id: int) -> None:  # type: ignore[no-untyped-def]
    """Signed in, back on the mandate's form as she left it: her own click co-signs."""
    page.wait_for_url(re.compile(rf"/mandates/{mandate_id}\?intent=sign"))
    page.get_by_text("You are signed in. Co-sign this mandate now?").wait_for()
    assert page.get_by_label("Also tell me by email").is_checked()
    page.get_by_label("I live in Musterstadt").check()
    page.get_by_role("button", name="Confirm and co-sign").click()


def test_the_emailed_link_carries_the_co_signature(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    mandate_id = collecting(live_server)[0]
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        before = press_co_sign(page, live_server, mandate_id)
        email = "ines.intent@example.org"
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Display name (new accounts)").fill("Ines Intent")
        page.get_by_role("button", name="Email me a sign-in link").click()
        page.get_by_text(
            re.compile("Once you have signed in with the link, you confirm your co-signature")
        ).wait_for()
        page.get_by_role("link", name="Open the dev mailbox").click()
        mail = page.locator("article.mail", has=page.locator(".mail-to", has_text=email)).first
        mail.get_by_role("link").click()
        page.get_by_role("button", name="Sign in and go on to co-sign").click()
        # No passkey yet: offered on the way, and skipped.
        page.get_by_role("link", name="Not now, continue").click()
        confirm_on_the_mandate(page, mandate_id)
        page.wait_for_url(re.compile(rf"/mandates/{mandate_id}\?signed=1"))
        page.get_by_text(DONE).wait_for()
        assert page.get_by_text("You have co-signed this mandate.").is_visible()
        assert count(page) == before + 1
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
        confirm_on_the_mandate(page, mandate_id)
        page.wait_for_url(re.compile(rf"/mandates/{mandate_id}\?signed=1"))
        page.get_by_text(DONE).wait_for()
        assert count(page) == before + 1
        page.get_by_role("button", name=re.compile(f"Sign out \\({name}\\)")).wait_for()
    finally:
        context.close()
