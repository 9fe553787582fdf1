"""Signed one-click unsubscribe links: who and which categories, under the app's key.

A link works for as long as the key it was signed with is the key or one of the old keys
(OLD_SECRET_KEYS), and it carries no expiry: an unsubscribe link in an old email must
still work (RFC 8058). Forging one needs the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from notifications.kinds import Category

PURPOSE = b"auftrag:unsubscribe:"
SEPARATOR = "+"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    categories: tuple[Category, ...]


def _signature(key: str, payload: str) -> str:
    digest = hmac.new(key.encode(), PURPOSE + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: str, user_id: int, categories: Iterable[Category]) -> str:
    """`<user>.<category>[+<category>…].<signature>`, all URL-safe."""
    names = SEPARATOR.join(sorted({Category(c).value for c in categories}))
    payload = f"{int(user_id)}.{names}"
    return f"{payload}.{_signature(key, payload)}"


def read(keys: Sequence[str], token: str) -> Unsubscribe | None:
    """What a token unsubscribes, if one of `keys` signed it; else None."""
    payload, _, signature = token.rpartition(".")
    user, _, names = payload.partition(".")
    if not user.isdigit() or not names or len(token) > 400:
        return None
    if not any(hmac.compare_digest(_signature(key, payload), signature) for key in keys):
        return None
    try:
        categories = tuple(Category(name) for name in names.split(SEPARATOR))
    except ValueError:
        return None
    return Unsubscribe(int(user), categories)
