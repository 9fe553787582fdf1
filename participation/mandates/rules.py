"""Mandate rules besides the lifecycle: when signatures count, milestones, content. No I/O."""

from __future__ import annotations

from datetime import datetime

from participation import single_line
from participation.mandates.models import Status
from participation.messages import Message

# Support keeps counting after the quorum until the council takes the mandate up:
# signatures in flight at the moment of crossing must not be refused.
SIGNABLE = frozenset({Status.COLLECTING, Status.SUBMITTED})
WITHDRAWABLE_SIGNATURE = frozenset({Status.COLLECTING})

MILESTONES = (25, 50, 75)


def open_for_signatures(status: Status, closes_at: datetime | None, now: datetime) -> bool:
    """Signable status, and the signature period has not ended."""
    return status in SIGNABLE and (closes_at is None or now < closes_at)


def milestone_reached(count: int, quorum: int) -> int:
    """Highest milestone percentage (0 if none) that `count` of `quorum` has passed."""
    if quorum <= 0:
        return 100
    if count >= quorum:
        return 100
    reached = [m for m in MILESTONES if count * 100 >= m * quorum]
    return max(reached, default=0)


TITLE_MAX = 120
SUMMARY_MAX = 500
BODY_MAX = 20_000
TOPICS_MAX = 5
TOPIC_MAX = 40


def normalise_topics(topics: list[str]) -> list[str]:
    """Topics are lower-case tags without surrounding space, each kept once, in given order."""
    seen: list[str] = []
    for topic in topics:
        tag = " ".join(topic.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def check_content(title: str, summary: str, body: str, topics: list[str]) -> dict[str, str]:
    """Field name → message for each problem with a mandate's text; empty when all is well."""
    problems: dict[str, str] = {}
    # Characters that are refused come first: PostgreSQL refuses NUL in text, and the
    # listings show titles, summaries and topics one line each.
    for name, text in (("title", title), ("summary", summary)):
        if problem := single_line.problem(text):
            problems[name] = problem
    if "\x00" in body:
        problems["body"] = Message("Text must not contain NUL characters.")
    if problem := next(filter(None, map(single_line.problem, topics)), None):
        problems["topics"] = problem
    if not title.strip():
        problems.setdefault("title", Message("Title must not be empty."))
    elif len(title) > TITLE_MAX:
        problems.setdefault(
            "title", Message("Title must be at most %(max)s characters.", max=TITLE_MAX)
        )
    if not summary.strip():
        problems.setdefault("summary", Message("Summary must not be empty."))
    elif len(summary) > SUMMARY_MAX:
        problems.setdefault(
            "summary", Message("Summary must be at most %(max)s characters.", max=SUMMARY_MAX)
        )
    if len(body) > BODY_MAX:
        problems.setdefault(
            "body", Message("Body must be at most %(max)s characters.", max=BODY_MAX)
        )
    tags = normalise_topics(topics)
    if len(tags) > TOPICS_MAX:
        problems.setdefault("topics", Message("At most %(max)s topics.", max=TOPICS_MAX))
    elif any(len(t) > TOPIC_MAX for t in tags):
        problems.setdefault(
            "topics", Message("Each topic must be at most %(max)s characters.", max=TOPIC_MAX)
        )
    return problems
