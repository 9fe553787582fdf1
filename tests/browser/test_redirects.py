"""In real Chromium: a `next` with a tab in it leaves nobody on another site.

Chromium drops tabs and line feeds from a URL, so `/%09/evil.example/x` (decoded to
`/\t/evil.example/x`) would land on `//evil.example/x` if the passkey script navigated
to it. Adding a passkey and signing in with one, from the autofill and from the button,
must all stay here.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.authenticator import add_virtual_authenticator
from tests.browser.mailbox import sign_up_by_link

pytestmark = pytest.mark.browser

EMAIL = "rita.redirect@example.org"
NAME = "Rita Redirect"
ATTACK = "/%09/evil.example/x"


def test_passkey_ceremonies_never_follow_a_next_off_this_site(  # type: ignore[no-untyped-def]
    browser, live_server: str
) -> None:
    # "/" is the start page: the demo has three municipalities, so it lists them.
    home = f"{live_server}/"
    context = browser.new_context(locale="en-GB")
    elsewhere: list[str] = []
    context.on(
        "request",
        lambda r: elsewhere.append(r.url) if "evil.example" in r.url.split("?")[0] else None,
    )
    context.route(re.compile(r"^https?://evil\.example"), lambda route: route.abort())
    try:
        page = context.new_page()
        add_virtual_authenticator(context, page)

        # An account by emailed link, asked for on the way to the attacker's `next`.
        page.goto(f"{live_server}/sign-in?next={ATTACK}")
        page.get_by_label("Email address").fill(EMAIL)
        sign_up_by_link(page, EMAIL, NAME)

        # Adding the offered passkey goes on to this site's start page, nowhere else.
        page.get_by_role("heading", name="Sign in faster next time: add a passkey").wait_for()
        page.goto(f"{live_server}/account/security?next={ATTACK}")
        page.get_by_role("button", name="Add a passkey").click()
        page.wait_for_url(home)
        sign_out = page.get_by_role("button", name=re.compile(f"Sign out \\({NAME}\\)"))
        sign_out.wait_for()

        # Signing in from the email field's autofill (conditional UI).
        sign_out.click()
        page.goto(f"{live_server}/sign-in?next={ATTACK}")
        page.wait_for_url(home)
        sign_out.wait_for()

        # And with the button, in a browser without passkeys in autofill.
        page.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = null")
        sign_out.click()
        page.goto(f"{live_server}/sign-in?next={ATTACK}")
        page.get_by_role("button", name="Sign in with a passkey").click()
        page.wait_for_url(home)
        sign_out.wait_for()
        assert page.url == home
        assert elsewhere == []
    finally:
        context.close()
