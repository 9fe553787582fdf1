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
)
