"""Outcome feedback: co-signers rate a finished mandate, 1 to 5, with an optional comment.

Once a mandate is completed or rejected, each person who co-signed it may rate the
outcome once; posting again within EDIT_DAYS of her first rating edits it, later it is
refused. The summary (average, count, distribution) is public; comments are shown
without a name unless she chose to show hers.

The timeline carries the summary, not every rating: an entry of kind `ratings` when the
first rating arrives and at most one a day after that. A rating that arrives inside the
day waits for the clock job `summarise_ratings`, which writes the summary once the day
is over, so the timeline is never more than a day (and one run of the job) behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count

from participation import clock, text, unit
from participation.actors import Actor
from participation.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from participation.mandates.actions import RATE_OUTCOME
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate, Rating, Signature, Status
from participation.messages import Message
from participation.municipalities.queries import place_of
from participation.permissions import require
from participation.sql import is_postgres, run
from participation.suspensions.check import ensure_not_suspended
from participation.timeline import entries as timeline
from participation.timeline.models import TimelineEntry

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 2_000
EDIT_DAYS = 30
RATEABLE = frozenset({Status.COMPLETED, Status.REJECTED})
# The timeline gets at most one summary per this long, per mandate.
SUMMARY_EVERY = timedelta(days=1)
# The clock job looks at ratings changed this recently: more than a day and a run.
SUMMARY_LOOKBACK = timedelta(days=2)

CREATED = "mandates:rating:created"
CHANGED = "mandates:rating:changed"
SUMMARISED = "mandates:ratings:summarised"

NOT_A_SIGNER = Message("Only those who co-signed this mandate may rate its outcome.")
NOT_FINISHED = Message("The outcome can be rated once the mandate is completed or rejected.")
TOO_LATE = Message(
    "A rating can be changed for %(days)s days after it was given; that time is over.",
    days=EDIT_DAYS,
)
BAD_SCORE = Message("The score is a whole number from 1 (very poor) to 5 (very good).")
LONG_COMMENT = Message("The comment may have at most %(max)s characters.", max=COMMENT_MAX)
BAD_COMMENT = Message("The comment must be text without NUL characters.")
BAD_SHOW_NAME = Message("Say with true or false whether your name is shown.")


@dataclass(frozen=True)
class RatingOutcome:
    rating: Rating
    created: bool


def empty_summary() -> dict[str, Any]:
    return {"average": None, "count": 0, "distribution": {str(s): 0 for s in SCORES}}


def summary_of(distribution: dict[int, int]) -> dict[str, Any]:
    """Average to one decimal, rounded half up (4.25 is 4.3), count and distribution."""
    count = sum(distribution.values())
    total = sum(score * n for score, n in distribution.items())
    tenths = (20 * total + count) // (2 * count) if count else None
    return {
        "average": tenths / 10 if tenths is not None else None,
        "count": count,
        "distribution": {str(s): distribution.get(s, 0) for s in SCORES},
    }


async def summaries(
    mandate_ids: list[int], conn: BaseDBAsyncClient | None = None
) -> dict[int, dict[str, Any]]:
    """The summary of each mandate, from one GROUP BY query for all of them."""
    per_mandate: dict[int, dict[int, int]] = {i: {} for i in mandate_ids}
    if not mandate_ids:
        return {}
    query = (
        Rating.filter(mandate_id__in=mandate_ids)
        .annotate(n=Count("id"))
        .group_by("mandate_id", "score")
    )
    if conn is not None:
        query = query.using_db(conn)
    for mandate_id, score, n in await query.values_list("mandate_id", "score", "n"):
        per_mandate[mandate_id][score] = n
    return {i: summary_of(d) for i, d in per_mandate.items()}


def editable_until(rating: Rating) -> datetime:
    return rating.created_at + timedelta(days=EDIT_DAYS)


def _is_score(value: object) -> bool:
    # bool is an int in Python, and "3" or 2.5 are no whole numbers: all refused.
    return type(value) is int and value in SCORES


async def rate_outcome(
    actor: Actor | None,
    mandate_id: int,
    score: object,
    comment: object = None,
    show_name: object = False,
) -> RatingOutcome:
    """Rate the outcome of a completed or rejected mandate as one of its co-signers.

    The first rating is created (`created=True`); posting again within EDIT_DAYS of it
    changes it. `comment` is Markdown, at most COMMENT_MAX characters, shown with her
    display name only if `show_name`. Raises NotFound, NotAuthenticated, PermissionDenied
    (she did not co-sign), Conflict (not completed or rejected yet, or the edit window is
    over; with `editable_until`) and InvalidInput naming `score`, `comment` or
    `show_name`. Nothing is stored when any check fails.
    """
    mandate = await get_visible(actor, mandate_id)
    actor = require(actor, RATE_OUTCOME, await place_of(mandate.municipality_id))
    await ensure_not_suspended(actor, mandate.municipality_id)
    if not await Signature.exists(mandate_id=mandate.id, user_id=actor.user_id):
        raise PermissionDenied(NOT_A_SIGNER)
    if mandate.status not in RATEABLE:
        raise Conflict(NOT_FINISHED, status_now=mandate.status)
    body, problems = _check(score, comment, show_name)
    html = ""
    if body and "comment" not in problems:
        try:
            html = await text.render(body, "comment")
        except InvalidInput as exc:
            problems["comment"] = exc.detail
    if problems:
        raise InvalidInput(
            Message("The rating has invalid fields."),
            [FieldError(field, message) for field, message in problems.items()],
        )
    assert isinstance(score, int)
    now = clock.now()
    async with unit.atomic() as u:
        # One writer per mandate at a time: a double post becomes an edit, not a second
        # row, and two ratings at once write one summary between them.
        await _lock(u.conn, mandate.id)
        rating = (
            await Rating.filter(mandate_id=mandate.id, user_id=actor.user_id)
            .using_db(u.conn)
            .first()
        )
        created = rating is None
        if rating is None:
            rating = await Rating.create(
                mandate_id=mandate.id,
                user_id=actor.user_id,
                score=score,
                comment=body,
                comment_html=html,
                show_name=bool(show_name),
                created_at=now,
                updated_at=now,
                using_db=u.conn,
            )
        else:
            if now > editable_until(rating):
                raise Conflict(TOO_LATE, editable_until=editable_until(rating).isoformat())
            rating.score = score
            rating.comment = body
            rating.comment_html = html
            rating.show_name = bool(show_name)
            rating.updated_at = now
            await rating.save(using_db=u.conn)
        await u.record(
            CREATED if created else CHANGED,
            "mandate",
            mandate.id,
            municipality_id=mandate.municipality_id,
            actor_id=actor.user_id,
            mandate_id=mandate.id,
            rating_id=rating.id,
            score=score,
        )
        await _summarise(u, mandate, now)
    return RatingOutcome(rating, created)


def _check(score: object, comment: object, show_name: object) -> tuple[str, dict[str, str]]:
    problems: dict[str, str] = {}
    if not _is_score(score):
        problems["score"] = BAD_SCORE
    body = ""
    if comment is not None:
        if not isinstance(comment, str) or "\x00" in comment:
            problems["comment"] = BAD_COMMENT
        elif len(comment) > COMMENT_MAX:
            problems["comment"] = LONG_COMMENT
        else:
            body = comment.strip()
    if not isinstance(show_name, bool):
        problems["show_name"] = BAD_SHOW_NAME
    return body, problems


async def _lock(conn: BaseDBAsyncClient, mandate_id: int) -> None:
    """Lock the mandate row until the transaction ends. Written out, because Tortoise drops
    FOR UPDATE from a values() query; SQLite has one writer and no FOR UPDATE."""
    if is_postgres(conn):
        await run(conn, "SELECT id FROM mandate WHERE id = $1 FOR UPDATE", mandate_id)


async def _summarise(u: unit.Unit, mandate: Mandate, now: datetime) -> bool:
    """Put the current summary on the timeline unless one went there within the day, or
    the last one says the same. Call with the mandate locked."""
    last = (
        await TimelineEntry.filter(mandate_id=mandate.id, kind="ratings")
        .using_db(u.conn)
        .order_by("-id")
        .first()
    )
    if last is not None and last.created_at > now - SUMMARY_EVERY:
        return False
    summary = (await summaries([mandate.id], u.conn))[mandate.id]
    if summary["count"] == 0 or (last is not None and last.data == summary):
        return False
    # No actor: the summary is everyone's, and naming who happened to rate first would
    # tell what she chose not to show.
    await timeline.record(
        u, mandate.id, "ratings", SUMMARISED, summary, municipality_id=mandate.municipality_id
    )
    return True


async def summarise_ratings() -> int:
    """Clock job: the summaries that waited out their day; returns how many were written."""
    now = clock.now()
    changed = (
        await Rating.filter(updated_at__gt=now - SUMMARY_LOOKBACK)
        .distinct()
        .values_list("mandate_id", flat=True)
    )
    written = 0
    for mandate_id in sorted(set(cast(list[int], changed))):
        async with unit.atomic() as u:
            await _lock(u.conn, mandate_id)
            mandate = await Mandate.filter(id=mandate_id).using_db(u.conn).first()
            if mandate is not None and await _summarise(u, mandate, now):
                written += 1
    return written
