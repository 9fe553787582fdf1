"""The deliberation area's events: ids only, never the text or who wrote it."""

from __future__ import annotations

from participation.outbox.catalogue import entry

_COMMENT = ("thread_id", "comment_id")

EVENTS = (
    entry(
        "deliberation:comment:posted",
        "thread",
        ("thread_id", "comment_id", "parent_id", "stance", "official"),
        "A comment or an official statement was posted in a thread.",
    ),
    entry(
        "deliberation:comment:replied",
        "user",
        ("user_id", "thread_id", "comment_id"),
        "Someone answered the user's comment (`comment_id` is the answer).",
    ),
    entry("deliberation:comment:edited", "thread", _COMMENT, "The author edited a comment."),
    entry("deliberation:comment:deleted", "thread", _COMMENT, "The author deleted a comment."),
)
