"""A CDP virtual authenticator: a passkey device that answers without a person."""

from __future__ import annotations

from typing import Any


def add_virtual_authenticator(context: Any, page: Any) -> tuple[Any, str]:
    """The page's CDP session and the id of a platform authenticator holding passkeys."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]
