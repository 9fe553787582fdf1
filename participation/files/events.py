"""The files area's events, for the outbox's catalogue."""

from __future__ import annotations

from participation.outbox.catalogue import entry

EVENTS = (
    entry(
        "files:attachment:added",
        "mandate",
        ("entry",),
        "A file was attached to a mandate or what belongs to it, in public.",
    ),
    entry(
        "files:draft_attachment:added",
        "mandate",
        ("attachment_id", "mandate_id", "attached_to", "attached_to_id"),
        "A file was attached to a cost analysis the public cannot see yet.",
    ),
)
