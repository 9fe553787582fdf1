"""The answers area's events; each announces a timeline entry, as `entry`."""

from __future__ import annotations

from participation.outbox.catalogue import entry

_ENTRY = ("entry",)

EVENTS = (
    entry(
        "answers:mandate:assigned",
        "mandate",
        _ENTRY,
        "The mandate was assigned to a department and maybe a responsible council member.",
    ),
    entry(
        "answers:response:published",
        "mandate",
        _ENTRY,
        "The council gave an official answer (first answer, update or decision).",
    ),
)
