"""Factories per area; each goes through the domain's commands where one exists."""

from tests.factories.accounts import council_member, people, person
from tests.factories.mandates import mandate, sign_until_quorum, time_travel
from tests.factories.municipalities import municipality

__all__ = [
    "council_member",
    "mandate",
    "municipality",
    "people",
    "person",
    "sign_until_quorum",
    "time_travel",
]
