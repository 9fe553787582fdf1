"""Signing up by emailed link through the demo's dev mailbox, in English."""

from __future__ import annotations

from typing import Any


def sign_up_by_link(page: Any, email: str, name: str) -> None:
    """From the sign-in page on screen: ask for a link, open it in the mailbox, use it."""
    page.get_by_label("Display name (new accounts)").fill(name)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.get_by_role("link", name="Open the dev mailbox").click()
    mail = page.locator("article.mail", has=page.locator(".mail-to", has_text=email)).first
    mail.get_by_role("link").click()
    page.get_by_role("button", name="Sign in now").click()
