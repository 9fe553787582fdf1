"""The service promise as people see it: derived when read from the facts on the mandate.

`answer_due_at` is set on submission (working days, participation/municipalities/
calendar.py), `first_answer_at` and `promise_kept` once by the first official answer; the
traffic light and "overdue" are never stored. No I/O.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from participation.mandates.models import Status


class Light(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


# Red: the council has not started; yellow: it is working on it; green: done. Mandates
# that never reached the council (draft, collecting, withdrawn, expired) have no light.
LIGHTS: dict[Status, Light] = {
    Status.SUBMITTED: Light.RED,
    Status.IN_REVIEW: Light.YELLOW,
    Status.ACCEPTED: Light.YELLOW,
    Status.IN_PROGRESS: Light.YELLOW,
    Status.COMPLETED: Light.GREEN,
    Status.REJECTED: Light.GREEN,
}

# Where the promise clock runs: the council's review queue and the clock job's scope.
OPEN = frozenset(s for s, light in LIGHTS.items() if light != Light.GREEN)


def light_of(status: str) -> Light | None:
    return LIGHTS.get(Status(status))


def is_overdue(due_at: datetime | None, first_answer_at: datetime | None, now: datetime) -> bool:
    """No first answer yet, and the end of the due day has passed."""
    return due_at is not None and first_answer_at is None and now > due_at


def service_promise(
    status: str,
    due_at: datetime | None,
    first_answer_at: datetime | None,
    kept: bool | None,
    now: datetime,
) -> dict[str, Any] | None:
    """`{due_at, light, overdue, first_answer_at, kept}`, or None for a mandate that never
    reached the council."""
    light = light_of(status)
    if light is None:
        return None
    return {
        "due_at": due_at,
        "light": light.value,
        "overdue": is_overdue(due_at, first_answer_at, now),
        "first_answer_at": first_answer_at,
        "kept": kept,
    }
