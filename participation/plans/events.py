"""The plans area's events, for the outbox's catalogue.

Each announces a timeline entry of the mandate, as `entry`.
"""

from __future__ import annotations

from participation.outbox.catalogue import entry

_ENTRY = ("entry",)

EVENTS = (
    entry("plans:measure:created", "mandate", _ENTRY, "A measure was added to the action plan."),
    entry(
        "plans:measure:updated",
        "mandate",
        _ENTRY,
        "A measure started, reported progress, was done or was dropped.",
    ),
    entry("plans:milestone:planned", "mandate", _ENTRY, "A measure got a milestone ahead."),
    entry("plans:milestone:reached", "mandate", _ENTRY, "A measure's milestone was reached."),
    entry("plans:progress:changed", "mandate", _ENTRY, "The mandate's derived progress changed."),
)
