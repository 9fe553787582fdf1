"""Request and response models of notification preferences and follows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from notifications.kinds import Category
from notifications.models import Cadence, FollowSubject
from server.api.schemas import Strict, Text

InboxCadence = Literal["immediate", "off"]


class KindPreferenceOut(BaseModel):
    event: str = Field(
        description="The outbox event that notifies, such as `mandates:quorum:reached`"
    )
    category: Category
    optional: bool = Field(description="false: always shown in the inbox, whatever is chosen")
    inbox: InboxCadence
    email: Cadence
    inbox_default: InboxCadence
    email_default: Cadence


class QuietHours(BaseModel):
    enabled: bool
    quiet_from: int = Field(ge=0, le=23, description="Hour (local time) quiet hours start")
    quiet_until: int = Field(ge=0, le=23, description="Hour (local time) they end")


class EmailConsentOut(BaseModel):
    granted: bool = Field(description="Email needs this consent (topic `email_notifications`)")
    wording_version: str | None
    current_version: str


class PreferencesOut(BaseModel):
    kinds: list[KindPreferenceOut]
    quiet_hours: QuietHours
    language: Literal["de", "en"] = Field(description="The language of her emails")
    email_consent: EmailConsentOut


class KindPreferenceIn(Strict):
    event: Text = Field(max_length=64)
    inbox: InboxCadence | None = Field(default=None, description="Omitted: left as it is")
    email: Cadence | None = Field(default=None, description="Omitted: left as it is")


class QuietHoursIn(Strict):
    enabled: bool | None = None
    quiet_from: int | None = Field(default=None, ge=0, le=23)
    quiet_until: int | None = Field(default=None, ge=0, le=23)


class PreferencesIn(Strict):
    """Only what is given changes; a kind's choice equal to what holds stores nothing."""

    kinds: list[KindPreferenceIn] = Field(default_factory=list, max_length=200)
    quiet_hours: QuietHoursIn | None = None
    language: Literal["de", "en"] | None = None


class FollowParams(BaseModel):
    subject_type: FollowSubject
    subject_id: str = Field(
        max_length=120,
        description="The mandate's, district's or vote's id, or the topic's name",
    )


class FollowQuery(BaseModel):
    municipality: Text | None = Field(
        default=None,
        max_length=64,
        description="The municipality's slug; required for a topic, not read otherwise",
    )


class FollowOut(BaseModel):
    subject_type: FollowSubject
    subject_id: str
    municipality: str = Field(description="The municipality's slug")
    title: str = Field(description="The mandate's or vote's title, the district's name, #topic")
    url: str
    reason: Literal["followed", "launched", "signed"] = Field(
        description="followed explicitly, or by launching or co-signing a mandate"
    )
    since: datetime | None


class FollowList(BaseModel):
    items: list[FollowOut]
    next: str | None
