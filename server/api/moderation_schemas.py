"""Request and response models of flags, the moderators' queue and decisions, locks,
suspensions and the public moderation log."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from participation.deliberation.models import Stance, SubjectType
from participation.moderation import rules
from participation.moderation.commands import Decision
from participation.moderation.models import FlagReason, ModerationAction
from server.api.schemas import NOT_BLANK, Line, Strict, Text

Reason = Field(
    min_length=1,
    max_length=rules.REASON_MAX,
    description="shown publicly, in the log and in place of a hidden comment",
    json_schema_extra=NOT_BLANK,
)


class FlagIn(Strict):
    reason: FlagReason
    text: Text | None = Field(
        default=None,
        max_length=rules.FLAG_TEXT_MAX,
        description="what is wrong; required for the reason `other`",
    )


class FlagOut(BaseModel):
    comment_id: int
    reason: FlagReason
    hidden: bool = Field(description="true when this flag reached the threshold and hid it")


class ModerationIn(Strict):
    action: Decision
    reason: Line = Reason


class ModeratedOut(BaseModel):
    comment_id: int
    hidden: bool
    hidden_reason: str | None
    flags: int = Field(description="open flags left: 0 after any decision")


class ReasonIn(Strict):
    reason: Line = Reason


class ThreadLockOut(BaseModel):
    thread_id: int
    locked: bool
    locked_at: datetime | None


class ReviewOut(BaseModel):
    comment_id: int
    review_requested_at: datetime


class SuspensionIn(Strict):
    user_id: int = Field(ge=1, le=2**31 - 1)
    until: datetime = Field(description="with its time zone; in the future, at most a year ahead")
    reason: Line = Reason


class SuspensionOut(BaseModel):
    id: int
    user_id: int
    until: datetime
    reason: str
    created_at: datetime


class ModeratedSubjectOut(BaseModel):
    type: SubjectType
    id: int
    thread_id: int
    url: str = Field(description="the page of the discussion")


class ModeratedAuthorOut(BaseModel):
    """Whose comment it is, for moderators only: the id is what a suspension names."""

    user_id: int
    display_name: str


class ModeratedCommentOut(BaseModel):
    """A comment as moderators see it: with its text even when hidden."""

    id: int
    thread_id: int
    stance: Stance
    official: bool
    body_html: str | None = Field(description="null once deleted by its author")
    author: ModeratedAuthorOut | None = Field(description="null once the account is deleted")
    hidden: bool
    hidden_reason: str | None
    hidden_pending_review: bool = Field(description="hidden by the flag threshold")
    review_requested: bool = Field(description="its author asked for a second look")
    deleted: bool
    created_at: datetime
    url: str


class QueueItemOut(BaseModel):
    comment: ModeratedCommentOut
    subject: ModeratedSubjectOut
    flags: int = Field(description="open flags")
    reasons: dict[FlagReason, int] = Field(description="the open flags counted by reason")
    notes: list[str] = Field(description="what flaggers wrote, without who they are")
    first_flagged_at: datetime | None
    thread_locked: bool


class QueueList(BaseModel):
    items: list[QueueItemOut]
    next: str | None


class SuspensionView(BaseModel):
    id: int
    until: datetime
    reason: str
    created_at: datetime


class AccountOut(BaseModel):
    user_id: int
    display_name: str
    comments: list[ModeratedCommentOut] = Field(description="the 20 most recent here")
    flags_received: dict[FlagReason, int] = Field(description="on all her comments here")
    suspensions: list[SuspensionView]


class LogEntryOut(BaseModel):
    """What was done, where and why, and in which role — never whose comment or who."""

    id: int
    action: ModerationAction
    subject: ModeratedSubjectOut | None = Field(description="null for a suspension")
    comment_id: int | None
    url: str | None = Field(description="the comment's or the discussion's place on its page")
    reason: str
    moderator_role: str | None = Field(description="moderator or admin; null when automatic")
    automatic: bool = Field(description="hidden by reaching the flag threshold")
    until: datetime | None = Field(description="the end of a suspension")
    created_at: datetime


class LogList(BaseModel):
    items: list[LogEntryOut]
    next: str | None
