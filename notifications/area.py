"""Notifications as an area: the inbox and email tables, the dispatcher that fills them
from the outbox, the email sender, what people follow and how they want to hear of it,
the dead letters of failed jobs, and their part in export and erasure."""

from __future__ import annotations

from notifications import privacy
from notifications.actions import MANAGE_JOBS
from notifications.catalogue import KINDS
from notifications.dispatch import NOTIFIER, SEND_EMAILS
from notifications.email import sender, tasks
from notifications.events import EVENTS
from notifications.live import INBOX_LIVE
from participation.areas import Area, ClockJob, Task

AREA = Area(
    name="notifications",
    models="notifications.models",
    actions=(MANAGE_JOBS,),
    events=EVENTS,
    exporters={
        "notifications": privacy.notifications_received,
        "notification_follows": privacy.follows,
        "notification_preferences": privacy.preferences,
        "notification_settings": privacy.settings,
    },
    erasers={
        "notifications:inbox": privacy.erase_notifications,
        "notifications:mailbox": privacy.erase_mailbox,
        "notifications:choices": privacy.erase_choices,
    },
    consumers=(NOTIFIER, INBOX_LIVE),
    kinds=KINDS,
    # One try each: the sender retries every delivery itself, with its own backoff.
    tasks=(
        Task(SEND_EMAILS, tasks.send_emails, timeout=300, tries=1),
        Task(sender.RETRY_TASK, tasks.send_email_delivery, timeout=300, tries=1),
    ),
    clock_jobs=(ClockJob("send_due_emails", tasks.send_due_emails, timeout=300),),
)
