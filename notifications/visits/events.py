"""The service-visit area's events: ids only, never an email address or a comment."""

from __future__ import annotations

from participation.outbox.catalogue import entry

EVENTS = (
    entry(
        "visits:visit:recorded",
        "service_visit",
        ("visit_id", "service_type"),
        "A service portal reported a visit (ids and the service's code only, no person).",
    ),
    entry(
        "visits:invitation:sent",
        "invitation",
        ("invitation_id", "user_id"),
        "A resident who just used a municipal service and consented is invited to one "
        "open consultation and asked how satisfied she was; she alone is told.",
    ),
    entry(
        "visits:satisfaction:given",
        "invitation",
        ("invitation_id", "service_type", "score"),
        "A resident answered the satisfaction question of her invitation (1 to 5).",
    ),
    entry(
        "visits:catalogue:changed",
        "municipality",
        ("codes",),
        "An administrator changed the municipality's catalogue of services.",
    ),
    entry(
        "visits:rules:changed",
        "municipality",
        ("cap_days",),
        "An administrator changed which consultations service visits are invited to.",
    ),
)
