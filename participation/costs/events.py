"""The costs area's events, for the outbox's catalogue.

Drafts are the council's own business, so saving one is an event about the analysis;
publishing is an event about the mandate that announces its timeline entry, as `entry`.
The plans area re-weighs a mandate's progress on `costs:analysis:published`.
"""

from __future__ import annotations

from participation.outbox.catalogue import entry

_FIGURES = ("mandate_id", "measure_id", "revision", "one_off_cents", "per_year_cents")

EVENTS = (
    entry(
        "costs:analysis:created",
        "cost_analysis",
        ("cost_analysis_id", *_FIGURES),
        "A cost analysis was drafted (revision 1, not public).",
    ),
    entry(
        "costs:analysis:revised",
        "cost_analysis",
        ("cost_analysis_id", *_FIGURES),
        "A cost analysis was saved as a new revision (a draft until published).",
    ),
    entry(
        "costs:analysis:published",
        "mandate",
        ("entry", "cost_analysis_id", *_FIGURES, "republished"),
        "A revision of a cost analysis was published; `republished` when an earlier one was.",
    ),
)
