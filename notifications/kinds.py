"""Kinds of notification: which outbox event tells whom, and what they are shown.

Every notification is a named event (Decidim's rule): a `Kind` is keyed by the outbox
event's name, which also names its email templates
(`frontend/templates/email/<event with ':' as '.'>/{subject.txt,body.txt,body.html}`) and
its row on the preferences page. Areas declare their kinds in `Area.kinds`; the
dispatcher reads them through `registered()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from notifications.models import Cadence, Reason
from participation import areas
from participation.outbox.envelope import Event


class Category(StrEnum):
    """What a one-click unsubscribe link turns off, and the preferences page's headings."""

    MANDATES = "mandates"
    COUNCIL_WORK = "council_work"
    VOTES = "votes"
    DISCUSSIONS = "discussions"
    MODERATION = "moderation"
    COUNCIL = "council"
    INVITATIONS = "invitations"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    reason: Reason


@dataclass(frozen=True)
class Fanout:
    """Recipients as a query, for events that reach many people (every co-signer of a
    mandate): `sql` selects rows (user_id, reason), using $1, $2… for `args`. Plain SQL
    that SQLite and PostgreSQL both run; UNION ALL its sources, duplicates are fine."""

    sql: str
    args: tuple[Any, ...] = ()


# Who is told of an event: a list, or a query where they are many.
Recipients = Callable[[Event], Awaitable[Sequence[Recipient] | Fanout]]
# What the inbox and the email show, computed once per event for every recipient, so in
# no language: facts, not sentences. Every kind gives at least
#   subject_title      the mandate's, vote's or measure's title (its author's words)
#   url                the path to open, such as /mandates/42 or /mandates/42#comment-7
#   municipality_name  where it happened
#   actor_name         the display name of who did it, or None
# and may add its own keys (status, excerpt, due_at as ISO 8601…), which its templates
# and its line in the inbox use.
Data = Callable[[Event], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Kind:
    event: str
    category: Category
    recipients: Recipients
    data: Data
    # Defaults where a person chose nothing. Email also needs her consent to
    # `email_notifications`, unless `consented_by` names another topic that covers it,
    # or is None for what her office asks of her (a barrier report to an administrator):
    # no consent is asked for the work of a role she took on.
    inbox: Cadence = Cadence.IMMEDIATE
    email: Cadence = Cadence.IMMEDIATE
    consented_by: str | None = "email_notifications"
    # False for what she must be told whatever she chose (her comment was hidden).
    optional: bool = True


def registered() -> dict[str, Kind]:
    """Every declared kind by its event name; two areas may not claim one event."""
    found: dict[str, Kind] = {}
    for kind in areas.kinds():
        if kind.event in found:
            raise ValueError(f"two kinds of notification for {kind.event!r}")
        found[kind.event] = kind
    return found


def template_dir(event: str) -> str:
    return event.replace(":", ".")
