"""Request and response models of outcome ratings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from participation.mandates import rating
from server.api.schemas import ListQuery, PersonOut, RatingSummaryOut, Strict, Text


class RatingIn(Strict):
    score: int = Field(ge=1, le=5, description="A whole number from 1 (very poor) to 5 (very good)")
    comment: Text | None = Field(
        default=None, max_length=rating.COMMENT_MAX, description="Markdown, optional"
    )
    show_name: bool = Field(
        default=False, description="Show her display name with the comment; hidden by default"
    )


class RatingCommentOut(BaseModel):
    id: int
    score: int
    comment: str = Field(description="Markdown as written")
    comment_html: str = Field(description="Rendered by the safe renderer")
    author: PersonOut | None = Field(description="Only if she chose to show her name")
    created_at: datetime
    updated_at: datetime


class OwnRatingOut(BaseModel):
    id: int
    score: int
    comment: str
    comment_html: str
    show_name: bool
    created_at: datetime
    updated_at: datetime
    editable_until: datetime = Field(description="Posting again edits it until then")


class RatingsOut(RatingSummaryOut):
    items: list[RatingCommentOut] = Field(description="Ratings with a comment, newest first")
    next: str | None
    mine: OwnRatingOut | None = Field(description="The caller's own rating; null if none")
    may_rate: bool = Field(description="Whether the caller may rate, or edit her rating, now")
    open: bool = Field(description="Whether the mandate is finished (completed or rejected)")


class RatingsQuery(ListQuery):
    pass
