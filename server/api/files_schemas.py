"""Request and response models of the attachments API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from participation.files.models import Subject
from server.api.schemas import ListQuery


class AttachmentUpload(BaseModel):
    """The multipart form of an upload (documents the request; the route reads it itself).

    Each field at most once, no others: multipart has no null, so `subject_id` is left
    out for the mandate itself.
    """

    model_config = ConfigDict(extra="forbid")

    file: bytes = Field(
        description="PDF, CSV, XLSX, ODS, PNG or JPEG, at most 20 MB; its name's extension "
        "must match its content",
        json_schema_extra={"format": "binary", "contentMediaType": "application/octet-stream"},
    )
    subject_type: Subject = Field(default=Subject.MANDATE, description="What the file belongs to")
    subject_id: int | SkipJsonSchema[None] = Field(
        default=None,
        ge=0,
        le=999_999_999,
        description="The answer, cost analysis or measure; empty for the mandate",
    )


class AttachmentOut(BaseModel):
    id: int
    mandate_id: int
    subject_type: Subject
    subject_id: int | None
    filename: str
    content_type: str = Field(description="As served, with the charset for CSV")
    type: Literal["PDF", "CSV", "XLSX", "ODS", "PNG", "JPEG"]
    size: int = Field(description="Bytes")
    sha256: str = Field(description="Of the content; also its ETag")
    url: str = Field(description="Where to download it")
    created_at: datetime


class AttachmentList(BaseModel):
    items: list[AttachmentOut]
    next: str | None


class AttachmentQuery(ListQuery):
    limit: int = Field(default=50, ge=1, le=100)
