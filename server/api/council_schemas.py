"""The council's review queue in the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from participation.council.queue import QUEUE_STATUSES, Sort
from participation.mandates import rules
from server.api.schemas import MandateOut, Text

SortName = Literal["due", "signatures", "submitted"]
QueueStatus = Literal["submitted", "in_review", "accepted", "in_progress"]
assert set(SortName.__args__) == {s.value for s in Sort}  # type: ignore[attr-defined]
assert set(QueueStatus.__args__) == {s.value for s in QUEUE_STATUSES}  # type: ignore[attr-defined]


class ReviewQueueQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(
        default=None,
        pattern=r"^([0-2]\.-?[0-9]{1,16}\.[0-9]{1,10}|o\.[0-9]{1,9})$",
        description="`next` of a list",
    )
    status: QueueStatus | None = None
    district: Text | None = Field(default=None, max_length=64, description="District slug")
    topic: Text | None = Field(default=None, max_length=rules.TOPIC_MAX)
    department: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Department id")
    overdue: bool = Field(default=False, description="Only mandates past their due date")
    sort: SortName = Field(
        default="due",
        description="due: overdue first, then by due date; signatures: most first; "
        "submitted: longest waiting first",
    )


class QueueCounts(BaseModel):
    """Over the district, topic and department chosen, whatever the status filter."""

    red: int = Field(description="submitted, not started")
    yellow: int = Field(description="in review, accepted or in progress")
    green: int = Field(description="completed or rejected")
    overdue: int


class ReviewQueueOut(BaseModel):
    items: list[MandateOut]
    next: str | None
    counts: QueueCounts
