"""The votes area's events, for the outbox's catalogue."""

from __future__ import annotations

from participation.outbox.catalogue import entry
from participation.votes.lifecycle import LIFECYCLE

# A public vote's move is an entry on its mandate's timeline (`entry`); any other is bare.
_MOVE = ("vote_id", "title", "from", "to", "reason", "entry")

EVENTS = (
    entry("votes:vote:created", "vote", ("vote_id", "mandate_id"), "A vote was drafted."),
    *LIFECYCLE.catalogue((), optional=_MOVE),
    entry(
        "votes:vote:closing",
        "vote",
        ("vote_id", "closes_at"),
        "An open vote closes within a day; announced once per vote.",
    ),
    # No person and no choice in it: only that the turnout changed.
    entry("votes:ballot:cast", "vote", ("vote_id",), "A ballot was cast or replaced."),
)
