"""Matching a service visit to one open consultation the person has not joined yet.

A rule names topics and whether the visit's district counts. What is open: votes that
are open, mandates collecting signatures, and the discussions of mandates the council
is working on that are not locked. Votes come first, then mandates, each the one that
closes soonest, then discussions, the newest first: what ends soon needs her first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q

from notifications.visits.models import Target
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.mandates.models import Mandate, MandateTopic, Signature, Status
from participation.votes.models import Participation, Vote, VoteStatus

# Enough to find one she has not joined among those closing first.
CANDIDATES = 50
DISCUSSED = (Status.SUBMITTED, Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS)


@dataclass(frozen=True)
class Match:
    target: Target
    target_id: int
    title: str
    path: str
    closes_at: datetime | None


@dataclass(frozen=True)
class Wanted:
    """What a rule asks for, for one visit."""

    municipality_id: int
    topics: tuple[str, ...]
    district_id: int | None

    @property
    def anything(self) -> bool:
        return bool(self.topics) or self.district_id is not None


def _closes(row: Mandate | Vote) -> tuple[bool, datetime]:
    """Sort key: the soonest end first, those without an end last."""
    return (row.closes_at is None, row.closes_at or datetime.min.replace(tzinfo=UTC))


async def _topic_mandates(wanted: Wanted) -> list[int]:
    if not wanted.topics:
        return []
    return await MandateTopic.filter(
        topic__in=wanted.topics, mandate__municipality_id=wanted.municipality_id
    ).values_list("mandate_id", flat=True)  # type: ignore[return-value]


def _mandate_filter(wanted: Wanted, by_topic: list[int]) -> Q:
    condition = Q(id__in=by_topic) if by_topic else Q(id__in=[])
    if wanted.district_id is not None:
        condition |= Q(district_id=wanted.district_id)
    return condition


async def _commented(user_id: int, subject: SubjectType, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    threads = await Thread.filter(subject_type=subject, subject_id__in=ids).values_list(
        "id", "subject_id"
    )
    by_thread = dict(threads)
    if not by_thread:
        return set()
    spoken = await Comment.filter(author_id=user_id, thread_id__in=list(by_thread)).values_list(
        "thread_id", flat=True
    )
    return {by_thread[t] for t in spoken}


async def _votes(wanted: Wanted, user_id: int, by_topic: list[int]) -> list[Match]:
    condition = Q(mandate_id__in=by_topic) if by_topic else Q(id__in=[])
    if wanted.district_id is not None:
        condition |= Q(district_id=wanted.district_id)
    votes = await Vote.filter(
        condition, municipality_id=wanted.municipality_id, status=VoteStatus.OPEN
    ).limit(CANDIDATES)
    ids = [v.id for v in votes]
    joined = set(
        await Participation.filter(user_id=user_id, vote_id__in=ids).values_list(
            "vote_id", flat=True
        )
    ) | await _commented(user_id, SubjectType.VOTE, ids)
    return [
        Match(Target.VOTE, v.id, v.title, f"/votes/{v.id}", v.closes_at)
        for v in sorted(votes, key=_closes)
        if v.id not in joined
    ]


async def _mandates(
    wanted: Wanted, user_id: int, by_topic: list[int], statuses: tuple[Status, ...]
) -> list[Mandate]:
    mandates = await Mandate.filter(
        _mandate_filter(wanted, by_topic),
        municipality_id=wanted.municipality_id,
        status__in=statuses,
    ).limit(CANDIDATES)
    ids = [m.id for m in mandates]
    joined = set(
        await Signature.filter(user_id=user_id, mandate_id__in=ids).values_list(
            "mandate_id", flat=True
        )
    ) | await _commented(user_id, SubjectType.MANDATE, ids)
    return [m for m in mandates if m.id not in joined and m.initiator_id != user_id]


async def _discussions(wanted: Wanted, user_id: int, by_topic: list[int]) -> list[Match]:
    mandates = await _mandates(wanted, user_id, by_topic, DISCUSSED)
    open_threads = set(
        await Thread.filter(
            subject_type=SubjectType.MANDATE,
            subject_id__in=[m.id for m in mandates],
            locked_at=None,
        ).values_list("subject_id", flat=True)
    )
    newest = sorted((m for m in mandates if m.id in open_threads), key=lambda m: -m.id)
    return [
        Match(Target.DISCUSSION, m.id, m.title, f"/mandates/{m.id}#discussion", None)
        for m in newest
    ]


async def best_match(wanted: Wanted, user_id: int) -> Match | None:
    """The one consultation to invite her to, or None if nothing relevant is open."""
    if not wanted.anything:
        return None
    by_topic = await _topic_mandates(wanted)
    votes = await _votes(wanted, user_id, by_topic)
    if votes:
        return votes[0]
    collecting = await _mandates(wanted, user_id, by_topic, (Status.COLLECTING,))
    if collecting:
        first = min(collecting, key=_closes)
        return Match(
            Target.MANDATE, first.id, first.title, f"/mandates/{first.id}", first.closes_at
        )
    discussions = await _discussions(wanted, user_id, by_topic)
    return discussions[0] if discussions else None
