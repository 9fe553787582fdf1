"""What the files area holds about a person: the files she attached (her export's section).

Her account's deletion keeps the attachments, public documents of the mandate, with the
link to her set to NULL, as for timeline entries.
"""

from __future__ import annotations

from typing import Any

from participation.files.models import Attachment


async def attachments_uploaded(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": attachment_id,
            "mandate_id": mandate_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "filename": filename,
            "content_type": content_type,
            "size": size,
            "at": at,
        }
        for (
            attachment_id,
            mandate_id,
            subject_type,
            subject_id,
            filename,
            content_type,
            size,
            at,
        ) in await Attachment.filter(uploader_id=user_id)
        .order_by("id")
        .values_list(
            "id",
            "mandate_id",
            "subject_type",
            "subject_id",
            "filename",
            "content_type",
            "size",
            "created_at",
        )
    ]
