"""Response model of the one-click unsubscribe."""

from __future__ import annotations

from pydantic import BaseModel, Field

from notifications.kinds import Category


class UnsubscribedOut(BaseModel):
    categories: list[Category] = Field(
        description="the categories whose every kind of notification now sends no email"
    )
