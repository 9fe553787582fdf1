"""The notifications area's events: dead letters retried or discarded, and a person's
own choices, with ids and names only."""

from __future__ import annotations

from participation.outbox.catalogue import entry

_FOLLOW = ("user_id", "followed", "key")

EVENTS = (
    entry(
        "notifications:dead_letter:retried",
        "dead_letter",
        ("task",),
        "An administrator or the operator sent a job that had failed for good once more.",
    ),
    entry(
        "notifications:dead_letter:discarded",
        "dead_letter",
        ("task",),
        "An administrator discarded a job that had failed for good.",
    ),
    entry(
        "notifications:follow:started",
        "user",
        _FOLLOW,
        "Someone followed a mandate, district, topic or vote (`followed`), named by `key`: "
        "its id, or the topic.",
    ),
    entry(
        "notifications:follow:ended",
        "user",
        _FOLLOW,
        "Someone unfollowed a subject, also one she followed by launching or co-signing.",
    ),
    entry(
        "notifications:preferences:changed",
        "user",
        ("user_id",),
        "Someone changed how she hears of things: per kind and channel, quiet hours, language.",
    ),
    entry(
        "notifications:inbox:read",
        "user",
        ("user_id", "marked"),
        "Someone marked notifications of her inbox read; her open pages update their count.",
    ),
)
