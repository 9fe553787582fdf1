"""Opening a subject's thread, in the transaction that creates the subject."""

from __future__ import annotations

from participation import unit
from participation.deliberation.models import SubjectType, Thread


async def open_thread(
    u: unit.Unit, subject_type: SubjectType, subject_id: int, municipality_id: int
) -> Thread:
    """The new subject's thread; called by the command that creates the subject."""
    return await Thread.create(
        municipality_id=municipality_id,
        subject_type=subject_type,
        subject_id=subject_id,
        using_db=u.conn,
    )


async def thread_ids(subject_type: SubjectType, subject_ids: list[int]) -> dict[int, int]:
    """Subject id → thread id, for the subjects' API and pages."""
    rows = await Thread.filter(subject_type=subject_type, subject_id__in=subject_ids).values_list(
        "subject_id", "id"
    )
    return dict(rows)
