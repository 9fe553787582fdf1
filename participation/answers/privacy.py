"""The answers area's part in a person's export: the official answers she signed.

They are never erased: an official answer is the municipality's act. On deletion the
link to her goes (the foreign key is set to NULL) and the answer keeps its role and
department.
"""

from __future__ import annotations

from typing import Any

from participation.answers.models import OfficialResponse


async def responses_signed(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "mandate_id": r.mandate_id,
            "kind": r.kind,
            "body": r.body,
            "role": r.role,
            "department": r.department_name,
            "council_paper_reference": r.council_paper_reference,
            "council_paper_url": r.council_paper_url,
            "created_at": r.created_at,
        }
        for r in await OfficialResponse.filter(author_id=user_id).order_by("id")
    ]
