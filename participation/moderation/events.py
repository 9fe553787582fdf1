"""The moderation area's events: ids only, never a comment's text or a person's data."""

from __future__ import annotations

from participation.outbox.catalogue import entry

_COMMENT = ("thread_id", "comment_id")

EVENTS = (
    entry(
        "moderation:comment:flagged",
        "thread",
        (*_COMMENT, "reason"),
        "Someone reported a comment, with one of the reasons.",
    ),
    entry(
        "moderation:comment:hidden",
        "thread",
        (*_COMMENT, "automatic"),
        "A comment was hidden, by a moderator or by reaching the flag threshold "
        "(`automatic`); its author is told why.",
    ),
    entry("moderation:comment:restored", "thread", _COMMENT, "A moderator restored a comment."),
    entry(
        "moderation:flags:dismissed",
        "thread",
        _COMMENT,
        "A moderator dismissed the open flags on a comment, which stays shown.",
    ),
    entry(
        "moderation:review:requested",
        "thread",
        _COMMENT,
        "The author of a hidden comment asked the moderators to look again.",
    ),
    entry("moderation:thread:locked", "thread", ("thread_id",), "A moderator locked a thread."),
    entry("moderation:thread:unlocked", "thread", ("thread_id",), "A moderator unlocked a thread."),
    entry(
        "moderation:account:suspended",
        "user",
        ("user_id", "suspension_id"),
        "An account was suspended in the event's municipality: it may read, not write.",
    ),
)
