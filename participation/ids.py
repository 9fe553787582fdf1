"""Reading ids and positions from untrusted text without tripping the database's limits."""

from __future__ import annotations

INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


def parse_id(text: str | None, maximum: int = INT_MAX) -> int | None:
    """ASCII digits within the column's range, else None (``"²".isdigit()`` is true too)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= maximum else None
