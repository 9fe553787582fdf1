"""Request and response models of one's own sessions and passkeys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from participation.accounts.identity.passkeys import NAME_MAX
from server.api.schemas import NOT_BLANK, Line, Strict


class SessionOut(BaseModel):
    id: int
    kind: str = Field(description="browser, or api for bearer tokens (`auftrag token`)")
    device: str = Field(description="browser and system, such as 'Firefox on Linux'")
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool = Field(description="whether this request was made with this session")


class SessionList(BaseModel):
    items: list[SessionOut]
    next: str | None


class RevokeAllIn(Strict):
    keep_current: bool = Field(
        default=False, description="keep the session this request was made with"
    )


class RevokedOut(BaseModel):
    revoked: int = Field(description="how many sessions were ended")


class PasskeyOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    backed_up: bool = Field(description="synced by its provider to other devices")
    transports: list[str]


class PasskeyList(BaseModel):
    items: list[PasskeyOut]
    next: str | None


class PasskeyIn(Strict):
    name: Line = Field(min_length=1, max_length=NAME_MAX, json_schema_extra=NOT_BLANK)
