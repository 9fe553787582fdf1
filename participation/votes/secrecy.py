"""The secrets of a vote: the ballot key, ballot slots and receipt codes. No I/O.

A ballot's slot is HMAC-SHA256(ballot key, voter id): while the vote runs the platform
finds a voter's own ballot by it (to replace it or show it to her), and once the key
is erased nobody can compute a slot from a person any more. A receipt code is shown
to the voter once; only its SHA-256 is stored, and the list of those digests is public.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped stays the same.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
RECEIPT_LENGTH = 20  # 100 bits
GROUP = 4


def new_ballot_key() -> str:
    return secrets.token_hex(32)


def slot(ballot_key: str, user_id: int) -> str:
    return hmac.new(bytes.fromhex(ballot_key), str(user_id).encode(), hashlib.sha256).hexdigest()


def new_receipt() -> str:
    """A receipt code such as ``7K2M-…``: five groups of four characters."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(code[i : i + GROUP] for i in range(0, RECEIPT_LENGTH, GROUP))


def normalise_receipt(text: str) -> str | None:
    """The code's characters without separators, or None if it cannot be a receipt code."""
    code = "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(code) != RECEIPT_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def receipt_digest(code: str) -> str:
    """SHA-256 (hex) of the normalised code; `ballot.js` computes the same in the browser."""
    normalised = normalise_receipt(code)
    if normalised is None:
        raise ValueError("not a receipt code")
    return hashlib.sha256(normalised.encode()).hexdigest()


def is_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
