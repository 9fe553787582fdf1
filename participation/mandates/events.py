"""The mandates area's events, for the outbox's catalogue.

Every event of a mandate's public life announces its timeline entry, as `entry`.
"""

from __future__ import annotations

from participation.mandates.lifecycle import LIFECYCLE
from participation.outbox.catalogue import entry

_ENTRY = ("entry",)

EVENTS = (
    entry("mandates:mandate:launched", "mandate", _ENTRY, "A mandate was drafted."),
    *LIFECYCLE.catalogue(_ENTRY),
    entry("mandates:milestone:reached", "mandate", _ENTRY, "A share of the quorum was reached."),
    entry("mandates:signature:created", "mandate", ("mandate_id",), "A co-signature."),
    entry("mandates:signature:withdrawn", "mandate", ("mandate_id",), "A co-signature went."),
    entry(
        "mandates:rating:created",
        "mandate",
        ("mandate_id", "rating_id", "score"),
        "A co-signer rated the outcome of a finished mandate.",
    ),
    entry(
        "mandates:rating:changed",
        "mandate",
        ("mandate_id", "rating_id", "score"),
        "A co-signer edited her rating within the edit window.",
    ),
    entry(
        "mandates:ratings:summarised",
        "mandate",
        _ENTRY,
        "The ratings summary (average, count, distribution) went on the timeline.",
    ),
)
