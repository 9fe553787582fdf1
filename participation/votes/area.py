"""The votes area: priority votes on mandates, their ballots and their tallies."""

from __future__ import annotations

from participation.areas import Area, ClockJob
from participation.votes import privacy
from participation.votes.actions import ACTIONS
from participation.votes.clockwork import advance_votes
from participation.votes.closing import announce_closing
from participation.votes.events import EVENTS

AREA = Area(
    name="votes",
    models="participation.votes.models",
    actions=ACTIONS,
    exporters={"votes": privacy.votes_taken_part_in, "votes_proposed": privacy.votes_proposed},
    # Counting a large vote may take minutes.
    clock_jobs=(
        ClockJob("advance_votes", advance_votes, timeout=600),
        ClockJob("announce_closing_votes", announce_closing, timeout=120, every=5),
    ),
    events=EVENTS,
)
