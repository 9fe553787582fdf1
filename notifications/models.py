"""Messages kept for the dev mailbox when no SMTP server is configured."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class MailboxMessage(Model):
    id = fields.IntField(primary_key=True)
    to = fields.CharField(max_length=254, db_index=True)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mailbox_message"
        ordering = ["-id"]
