"""Request and response models of threads and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from participation.deliberation import rules
from participation.deliberation.models import Stance, SubjectType
from participation.deliberation.queries import Sort
from server.api.schemas import NOT_BLANK, Strict, Text

ID = Field(ge=1, le=2**31 - 1)


class CommentIn(Strict):
    body: Text = Field(
        min_length=1, max_length=rules.BODY_MAX, description="Markdown", json_schema_extra=NOT_BLANK
    )
    stance: Stance = Stance.NEUTRAL
    parent_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The comment answered, in this thread"
    )
    official: bool = Field(
        default=False,
        description="An official statement, signed with the author's role and the subject's "
        "department (council members and administrators of the municipality)",
    )


class CommentPatch(Strict):
    body: Text = Field(
        min_length=1, max_length=rules.BODY_MAX, description="Markdown", json_schema_extra=NOT_BLANK
    )
    stance: Stance | None = Field(default=None, description="unchanged when left out")


class CommentAuthorOut(BaseModel):
    display_name: str


class ReplyToOut(BaseModel):
    id: int
    author: CommentAuthorOut | None


class CommentOut(BaseModel):
    id: int
    thread_id: int
    parent_id: int | None
    depth: int = Field(ge=0, le=3)
    stance: Stance
    body_html: str | None = Field(description="null when hidden or deleted")
    author: CommentAuthorOut | None = Field(description="null once the account is deleted")
    official: bool
    official_role: str | None = Field(description="council or admin, for official statements")
    official_department: str | None
    endorsements: int
    endorsed_by_me: bool = Field(description="false when anonymous")
    hidden: bool
    hidden_reason: str | None = Field(description="the moderator's public reason")
    deleted: bool = Field(description="deleted by the author, or her account deleted")
    reply_to: ReplyToOut | None = Field(
        description="whom a reply answers when it was placed beside that comment: replies "
        "nest at most 3 deep"
    )
    created_at: datetime
    edited_at: datetime | None


class ConversationOut(CommentOut):
    replies: list[CommentOut] = Field(
        description="Every reply below this top-level comment, depth first, oldest first"
    )


class CommentPage(BaseModel):
    """Top-level comments in the order asked for, each with its replies."""

    items: list[ConversationOut]
    next: str | None


class BalancedOut(BaseModel):
    """`view=balanced`: the most endorsed arguments of each side, at any depth."""

    model_config = ConfigDict(populate_by_name=True)

    for_: list[CommentOut] = Field(alias="for")
    against: list[CommentOut]


class CommentsOut(RootModel[CommentPage | BalancedOut]):
    """A page of comments, or with `view=balanced` the two sides."""


class CommentsQuery(BaseModel):
    # Literal, not the enum: a query parameter's schema is written inline, without $refs.
    sort: Literal["newest", "oldest", "endorsed"] = Sort.NEWEST.value
    view: Literal["balanced"] | None = Field(
        default=None,
        description="`balanced`: the most endorsed arguments for and against, `limit` of each "
        "(at most 20); sort and cursor do not apply",
    )
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(
        default=None, pattern=r"^[0-9]{1,10}(\.[0-9]{1,10})?$", description="`next` of a page"
    )


class ThreadSubjectOut(BaseModel):
    type: SubjectType
    id: int
    title: str
    link: str = Field(description="its page")


class ThreadOut(BaseModel):
    id: int
    subject: ThreadSubjectOut
    locked: bool
    locked_at: datetime | None
    comment_count: int = Field(description="comments shown: neither hidden nor deleted")
    created_at: datetime


class VersionOut(BaseModel):
    body_html: str
    stance: Stance
    written_at: datetime


class HistoryOut(BaseModel):
    comment_id: int
    items: list[VersionOut] = Field(description="earlier versions, oldest first")


class EndorsementOut(BaseModel):
    comment_id: int
    endorsements: int
    endorsed_by_me: bool


class ThreadReadyOut(BaseModel):
    thread_id: int
    last_comment_id: int = Field(
        description="the newest comment's id when the stream began (0 for none): a page that "
        "shows an older one reads the thread again"
    )


class ThreadSignalOut(BaseModel):
    thread_id: int
    comment_ids: list[int] = Field(description="the comments that changed; read them again")
