"""The council area's events: the service promise's clock.

The notifications issue turns them into reminders for the council and escalations.
"""

from __future__ import annotations

from participation.outbox.catalogue import entry

EVENTS = (
    entry(
        "council:promise:reminded",
        "mandate",
        ("mandate_id", "due_at"),
        "A first answer is due by the end of the next working day.",
    ),
    entry("council:promise:missed", "mandate", ("entry",), "The promised first answer is overdue."),
)
