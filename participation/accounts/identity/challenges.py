"""WebAuthn challenges: issued to one browser, claimed once, gone after five minutes.

The browser holds a random binding value (a cookie) and only its SHA-256 is stored,
so a challenge leaked from one browser is useless in another. A registration's
challenge also names the person who asked, so it cannot add a passkey to someone else.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from webauthn.helpers import bytes_to_base64url

from participation import clock
from participation.accounts.models import WebAuthnChallenge
from participation.errors import InvalidInput
from participation.messages import Message

LIFETIME = timedelta(minutes=5)
REGISTER = "register"
SIGN_IN = "sign_in"
# Where a ceremony's challenge travels in the browser's answer, for error messages.
FIELD = "credential.response.clientDataJSON"


def _hash(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()


async def issue(purpose: str, binding: str, user_id: int | None = None) -> bytes:
    """A fresh challenge for `purpose`, bound to the browser holding `binding`."""
    if not binding:
        raise ValueError("a challenge must be bound to a browser")
    challenge = secrets.token_bytes(32)
    now = clock.now()
    # Expired challenges can never be claimed again; keeping them only grows the table.
    await WebAuthnChallenge.filter(expires_at__lte=now).delete()
    await WebAuthnChallenge.create(
        challenge=bytes_to_base64url(challenge),
        purpose=purpose,
        binding_hash=_hash(binding),
        user_id=user_id,
        expires_at=now + LIFETIME,
    )
    return challenge


async def claim(challenge: str, purpose: str, binding: str, user_id: int | None = None) -> None:
    """Use the challenge up; one conditional UPDATE, so two racing answers cannot both win.

    Raises InvalidInput (field `credential.response.clientDataJSON`) when the challenge is
    unknown, already used, expired, for another purpose, or issued to another browser
    or, for registrations, to another person.
    """
    now = clock.now()
    claimed = 0
    if binding and challenge and len(challenge) <= 128:
        claimed = await WebAuthnChallenge.filter(
            challenge=challenge,
            purpose=purpose,
            binding_hash=_hash(binding),
            user_id=user_id,
            used_at=None,
            expires_at__gt=now,
        ).update(used_at=now)
    if not claimed:
        raise InvalidInput.on(
            FIELD, Message("This passkey request expired or was already used. Please try again.")
        )
