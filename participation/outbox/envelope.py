"""The shape every event has, whichever area records it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# area:subject:action, the action in the past tense.
NAME = re.compile(r"^[a-z][a-z_]*:[a-z][a-z_]*:[a-z][a-z_]*$")


@dataclass(frozen=True)
class Event:
    """What happened (`name`), to what (`subject_type`, `subject_id`), where, by whom.

    `subject_type` and `subject_id` name the public thing a reader follows (a mandate,
    a vote, an account): a signature's subject is its mandate, since who signed is
    nobody's topic. `actor_id` is None for the platform's own moves and for ballots,
    which must not be linked to a person.
    """

    name: str
    subject_type: str
    subject_id: int
    municipality_id: int | None = None
    actor_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"event name {self.name!r} is not area:subject:action")

    @property
    def topic(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"
