"""Passkeys in real Chromium against the real server, with a virtual authenticator.

Create an account by emailed link, add a passkey when offered, sign out, sign in
again with the passkey alone, and co-sign a mandate of the demo municipality.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.authenticator import add_virtual_authenticator
from tests.browser.mailbox import sign_up_by_link

pytestmark = pytest.mark.browser

EMAIL = "paula.passkey@example.org"
NAME = "Paula Passkey"


def collecting_mandate(base: str) -> int:
    listing = httpx.get(f"{base}/api/v1/municipalities/demo/mandates?status=collecting").json()
    return listing["items"][0]["id"]


def test_add_a_passkey_sign_out_sign_in_with_it_alone_and_cosign(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    assert live_server.startswith("http://localhost:"), "passkeys need a host name, not an IP"
    mandate_id = collecting_mandate(live_server)
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        cdp, authenticator = add_virtual_authenticator(context, page)

        # A new account by emailed link, on the way to the mandate.
        page.goto(f"{live_server}/sign-in?next=/mandates/{mandate_id}")
        email = page.get_by_label("Email address")
        assert email.get_attribute("autocomplete") == "username webauthn"
        email.fill(EMAIL)
        sign_up_by_link(page, EMAIL, NAME)

        # Without a passkey, the link offers one first.
        page.get_by_role("heading", name="Sign in faster next time: add a passkey").wait_for()
        page.get_by_label("Name of the new passkey (optional)").fill("Virtual key")
        page.get_by_role("button", name="Add a passkey").click()
        page.wait_for_url(f"{live_server}/mandates/{mandate_id}")
        stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert len(stored["credentials"]) == 1
        assert stored["credentials"][0]["isResidentCredential"] is True

        page.goto(f"{live_server}/account/security")
        passkeys = page.get_by_role("region", name="Passkeys")
        passkeys.get_by_role("heading", name="Virtual key").wait_for()
        devices = page.get_by_role("region", name="Where you are signed in")
        assert devices.get_by_text("this device").count() == 1

        # Sign out, then back in with nothing but the passkey: the email field offers it
        # in its autofill (conditional UI), and the virtual authenticator picks it at once.
        sign_out = page.get_by_role("button", name=re.compile(f"Sign out \\({NAME}\\)"))
        sign_out.click()
        page.goto(f"{live_server}/sign-in?next=/account/security")
        page.wait_for_url(f"{live_server}/account/security")
        sign_out.wait_for()

        # A browser without passkeys in autofill: the button does it.
        page.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = null")
        sign_out.click()
        page.goto(f"{live_server}/sign-in?next=/mandates/{mandate_id}")
        assert page.evaluate("PublicKeyCredential.isConditionalMediationAvailable") is None
        page.get_by_role("button", name="Sign in with a passkey").click()
        page.wait_for_url(f"{live_server}/mandates/{mandate_id}")
        sign_out.wait_for()
        count = int(page.locator("#live-count [data-count]").inner_text().replace(",", ""))

        page.get_by_label("I live in Musterstadt").check()
        page.get_by_role("button", name="Confirm and co-sign").click()
        page.get_by_text("You have co-signed this mandate.").wait_for()
        after = int(page.locator("#live-count [data-count]").inner_text().replace(",", ""))
        assert after == count + 1

        page.goto(f"{live_server}/account/security")
        assert "last used" in passkeys.inner_text()
        assert "not used yet" not in passkeys.inner_text()
    finally:
        context.close()
