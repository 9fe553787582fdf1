"""Request and response models of the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from notifications.models import Reason
from server.api.schemas import ListQuery


class InboxQuery(ListQuery):
    unread: bool = Field(default=False, description="only unread notifications")
    cursor: str | None = Field(
        default=None, pattern=r"^[0-9]{1,18}$", description="`next` of a list"
    )


class NotificationOut(BaseModel):
    id: int = Field(description="the newest of a group; marking it read marks the group")
    event: str = Field(description="the event's name, such as `mandates:mandate:completed`")
    reason: Reason = Field(description="why she was told: her strongest connection to it")
    text: str = Field(description="the notification as one sentence, in English")
    url: str = Field(description="the path to open")
    count: int = Field(description="how many unread notifications of one subject it stands for")
    read: bool
    created_at: datetime
    data: dict[str, Any] = Field(description="the facts the sentence is made of")


class NotificationList(BaseModel):
    items: list[NotificationOut]
    next: str | None
    unread: int = Field(description="her unread notifications in all")


class MarkedOut(BaseModel):
    marked: int = Field(description="how many notifications were unread and are read now")
    unread: int = Field(description="her unread notifications left")


class UnreadOut(BaseModel):
    unread: int = Field(description="her unread notifications")
