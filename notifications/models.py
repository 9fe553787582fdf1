"""What people are told and how: inbox notifications, the emails made of them, what they
follow and how they want to hear of it, and jobs that failed for good."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.municipalities.models import Municipality


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"


class Cadence(StrEnum):
    """How soon a channel carries a notification; the inbox knows only immediate and off."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class Reason(StrEnum):
    """Why someone is told, strongest first: one notification per person and event carries
    the strongest of her reasons (a mention beats a reply beats following)."""

    DIRECT = "direct"
    MENTION = "mention"
    REPLY = "reply"
    INITIATOR = "initiator"
    PARTICIPANT = "participant"
    SIGNER = "signer"
    VOTER = "voter"
    FOLLOWER = "follower"
    COUNCIL = "council"
    ADMINISTRATOR = "administrator"
    INVITED = "invited"


REASON_ORDER = {reason: rank for rank, reason in enumerate(Reason)}


class FollowSubject(StrEnum):
    MANDATE = "mandate"
    DISTRICT = "district"
    TOPIC = "topic"
    VOTE = "vote"


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    DEAD = "dead"


class MailboxMessage(Model):
    """Messages kept for the dev mailbox when no SMTP server is configured."""

    id = fields.IntField(primary_key=True)
    to = fields.CharField(max_length=254, db_index=True)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mailbox_message"
        ordering = ["-id"]


class Notification(Model):
    """One person told of one event, at most once (the unique key), whichever way she is
    connected to it. `data` holds what the inbox and the email show (titles, links), taken
    when the event was dispatched, so a later rename does not rewrite what was sent."""

    id = fields.BigIntField(primary_key=True)
    recipient: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="notifications", on_delete=fields.CASCADE
    )
    recipient_id: int
    event_id = fields.BigIntField()
    event_name = fields.CharField(max_length=64)
    reason = fields.CharEnumField(Reason, max_length=16)
    municipality_id = fields.IntField(null=True)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    # Unread notifications with the same key are shown as one ("3 new comments on …").
    group_key = fields.CharField(max_length=128)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # False when she turned the inbox off for this kind but still gets it by email.
    in_inbox = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        unique_together = (("recipient", "event_id"),)
        indexes = (
            ("recipient_id", "in_inbox", "read_at", "id"),
            ("recipient_id", "id"),
            ("event_id",),
        )


class EmailDelivery(Model):
    """The email channel of one notification: at most one per notification (so per person,
    event and channel), sent at once, held for quiet hours, or gathered into a digest."""

    id = fields.BigIntField(primary_key=True)
    notification: fields.OneToOneRelation[Notification] = fields.OneToOneField(
        "auftrag.Notification", related_name="email", on_delete=fields.CASCADE
    )
    notification_id: int
    recipient_id = fields.IntField()
    cadence = fields.CharEnumField(Cadence, max_length=16)
    status = fields.CharEnumField(EmailStatus, max_length=16, default=EmailStatus.PENDING)
    # Not sent before: after quiet hours, or at the digest's time.
    not_before = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    # A sender holds the row until then; a sender killed mid-send loses it to the next.
    leased_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    # The Message-ID it went out in (a digest's, for the rows it gathered).
    message_id = fields.CharField(max_length=200, null=True)
    error = fields.TextField(null=True)

    class Meta:
        table = "email_delivery"
        indexes = (("status", "not_before"), ("recipient_id", "status", "cadence"))


class Follow(Model):
    """Someone follows a mandate, a district, a topic or a vote. Launching and co-signing
    follow a mandate without a row; a row with `active` false is an explicit unfollow,
    which beats them."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="follows", on_delete=fields.CASCADE
    )
    user_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="follows", on_delete=fields.CASCADE
    )
    municipality_id: int
    subject_type = fields.CharEnumField(FollowSubject, max_length=16)
    # The mandate's, district's or vote's id, or the topic's name without '#'.
    subject_key = fields.CharField(max_length=120)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification_follow"
        unique_together = (("user", "municipality", "subject_type", "subject_key"),)
        indexes = (("subject_type", "subject_key", "active"),)


class NotificationPreference(Model):
    """A person's choice for one kind of notification (its event name) on one channel.
    Without a row the kind's default holds."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    user_id: int
    event = fields.CharField(max_length=64)
    channel = fields.CharEnumField(Channel, max_length=8)
    cadence = fields.CharEnumField(Cadence, max_length=16)

    class Meta:
        table = "notification_preference"
        unique_together = (("user", "event", "channel"),)


class NotificationSettings(Model):
    """The quiet hours of a person, in the local time of her municipality, and the language
    of her emails. Email due in quiet hours is held back until they end, not dropped."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "auftrag.User", related_name="notification_settings", on_delete=fields.CASCADE
    )
    user_id: int
    quiet_hours = fields.BooleanField(default=True)
    quiet_from = fields.SmallIntField(default=22)
    quiet_until = fields.SmallIntField(default=7)
    language = fields.CharField(max_length=2, default="de")

    class Meta:
        table = "notification_settings"


class DeadLetter(Model):
    """A job that failed on every try, kept with its arguments until an administrator
    retries or discards it."""

    id = fields.IntField(primary_key=True)
    task = fields.CharField(max_length=100)
    kwargs: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    municipality_id = fields.IntField(null=True)
    tries = fields.IntField()
    error = fields.TextField()
    failed_at = fields.DatetimeField(auto_now_add=True)
    retried_at = fields.DatetimeField(null=True)

    class Meta:
        table = "dead_letter"
        ordering = ["-id"]
