"""The municipalities area's events, for the outbox's catalogue."""

from __future__ import annotations

from participation.outbox.catalogue import entry

_DEPARTMENT = ("department_id", "department_name")
_DISTRICT = ("district_id", "district_name")

EVENTS = (
    entry(
        "municipalities:municipality:created",
        "municipality",
        ("slug", "official_key"),
        "An operator founded a municipality on this deployment.",
    ),
    entry("municipalities:district:added", "district", _DISTRICT, "A district was added."),
    entry(
        "municipalities:district:renamed",
        "district",
        (*_DISTRICT, "previous_name"),
        "A district got a new name; its slug stays.",
    ),
    entry(
        "municipalities:district:retired",
        "district",
        _DISTRICT,
        "A district was retired: it keeps its history and takes nothing new.",
    ),
    entry(
        "municipalities:district:reinstated",
        "district",
        _DISTRICT,
        "A retired district takes new mandates again.",
    ),
    entry(
        "municipalities:department:created", "department", _DEPARTMENT, "A department was added."
    ),
    entry(
        "municipalities:department:renamed",
        "department",
        (*_DEPARTMENT, "previous_name"),
        "A department got a new name.",
    ),
    entry(
        "municipalities:department:retired",
        "department",
        _DEPARTMENT,
        "A department was retired: it keeps its history and takes no new mandates.",
    ),
    entry(
        "municipalities:department:reinstated",
        "department",
        _DEPARTMENT,
        "A retired department takes mandates again.",
    ),
    entry(
        "municipalities:face:changed",
        "municipality",
        ("fields",),
        "The administrators changed the colour, welcome text, coat of arms or legal texts.",
    ),
    entry(
        "municipalities:barrier:reported",
        "barrier_report",
        ("barrier_report_id",),
        "Someone reported a barrier from the accessibility statement.",
    ),
)
