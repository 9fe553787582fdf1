"""The action plan's rules: what a measure and a milestone may hold, how a measure moves,
and the mandate's progress derived from its measures. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from participation import single_line
from participation.mandates.models import Status
from participation.messages import Message
from participation.plans.models import MeasureStatus

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
REASON_MAX = 2_000
WEIGHT_MAX = 1_000
MEASURES_MAX = 100
MILESTONES_MAX = 50

# The council drafts a plan while it reviews a mandate; work starts once it is accepted.
PLANNABLE = frozenset({Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS})
WORKABLE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS})

M = MeasureStatus
# Done and dropped are final: a finished measure is not undone, a dropped one not revived.
MOVES: dict[MeasureStatus, frozenset[MeasureStatus]] = {
    M.PLANNED: frozenset({M.IN_PROGRESS, M.DROPPED}),
    M.IN_PROGRESS: frozenset({M.DONE, M.DROPPED}),
    M.DONE: frozenset(),
    M.DROPPED: frozenset(),
}

Problems = dict[str, str]


def _text_problems(problems: Problems, field: str, text: str, maximum: int) -> None:
    if "\x00" in text:
        problems[field] = Message("Text must not contain NUL characters.")
    elif len(text) > maximum:
        problems[field] = Message("At most %(max)s characters.", max=maximum)


def _title_problems(problems: Problems, title: str) -> None:
    if not title.strip():
        problems["title"] = Message("A title is required.")
    elif problem := single_line.problem(title):
        problems["title"] = problem
    elif len(title.strip()) > TITLE_MAX:
        problems["title"] = Message("At most %(max)s characters.", max=TITLE_MAX)


def check_measure(
    title: str,
    description: str,
    planned_start: date | None,
    planned_end: date | None,
    weight: int | None,
) -> Problems:
    """Field name → message for each problem with a new measure; empty when all is well."""
    problems: Problems = {}
    _title_problems(problems, title)
    _text_problems(problems, "description", description, DESCRIPTION_MAX)
    if planned_start is None:
        problems["planned_start"] = Message("A planned start date is required.")
    if planned_end is None:
        problems["planned_end"] = Message("A planned end date is required.")
    if planned_start and planned_end and planned_end < planned_start:
        problems["planned_end"] = Message("The planned end must not be before the planned start.")
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= WEIGHT_MAX
    ):
        problems["weight"] = Message(
            "The weight must be a whole number from 1 to %(max)s, or empty.", max=WEIGHT_MAX
        )
    return problems


def check_milestone(title: str, day: date | None, description: str, start: date) -> Problems:
    """Problems with a milestone of a measure planned to start on `start`."""
    problems: Problems = {}
    _title_problems(problems, title)
    _text_problems(problems, "description", description, DESCRIPTION_MAX)
    if day is None:
        problems["date"] = Message("A date is required.")
    elif day < start:
        problems["date"] = Message(
            "A milestone cannot come before its measure's planned start (%(start)s).",
            start=start.isoformat(),
        )
    return problems


@dataclass(frozen=True)
class Change:
    """What an update does to a measure: its status and progress afterwards."""

    status: MeasureStatus
    progress: int
    reason: str | None


class MoveRefused(Exception):
    """A status change that does not exist from the measure's current status."""

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed


def check_update(
    current: MeasureStatus,
    current_progress: int,
    status: MeasureStatus | None,
    progress: int | None,
    reason: str | None,
) -> Change | Problems:
    """The measure after the update, or field problems. Raises MoveRefused for a status
    change that does not exist from `current`, and for progress on a measure not in progress.

    A measure done is at 100; dropping needs a public reason, and a reason goes only with
    dropping; progress is reported while a measure is in progress (or in the update that
    starts it). Naming the current status again changes nothing by itself.
    """
    problems: Problems = {}
    if status is None and progress is None and reason is None:
        problems["body"] = Message("Give a status, a progress or a reason.")
        return problems
    if progress is not None and (
        isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100
    ):
        problems["progress"] = Message("Progress is a whole number from 0 to 100.")
    if reason is not None:
        _text_problems(problems, "reason", reason, REASON_MAX)
    if status == M.DROPPED and current != M.DROPPED:
        if not (reason or "").strip() and "reason" not in problems:
            problems["reason"] = Message("Say in public why the measure is dropped.")
    elif reason is not None and "reason" not in problems:
        problems["reason"] = Message("A reason is given only when a measure is dropped.")
    if status == M.DONE and progress not in (None, 100) and "progress" not in problems:
        problems["progress"] = Message("A measure that is done is at 100 %.")
    if problems:
        return problems
    allowed = sorted(m.value for m in MOVES[current])
    target = current if status is None else status
    if target != current and target not in MOVES[current]:
        raise MoveRefused(
            Message(
                "A measure that is %(status)s cannot become %(target)s.",
                status=current.value,
                target=target.value,
            ),
            allowed,
        )
    if target == M.DONE:
        if progress not in (None, 100):
            raise MoveRefused(Message("A measure that is done is at 100 %."), allowed)
        return Change(target, 100, None)
    if target == M.DROPPED:
        if progress is not None:
            raise MoveRefused(Message("Progress is reported on a measure in progress."), allowed)
        return Change(target, current_progress, (reason or "").strip() or None)
    if progress is not None and target != M.IN_PROGRESS:
        raise MoveRefused(Message("Progress is reported on a measure in progress."), allowed)
    return Change(target, current_progress if progress is None else progress, None)


@dataclass(frozen=True)
class Counted:
    """A measure as the mandate's progress sees it: its status, progress, weight and cost
    (latest published cents, one-off plus per year; None when it has none)."""

    status: MeasureStatus
    progress: int
    weight: int | None = None
    cost_cents: int | None = None


def _rounded(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves up, in integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def derived_progress(measures: Sequence[Counted]) -> int | None:
    """The mandate's progress, 0–100, or None when no measure counts.

    Dropped measures do not count. The others are weighted by their weights if every one
    has a weight, else by their costs if every one has a cost above zero, else averaged
    plainly. The exact mean is rounded to the nearest whole percent, halves up, except
    that 100 is shown only when every counted measure is at 100, and 0 only when none has
    begun: a rounded figure never claims "done" or "not started" when that is untrue.
    """
    counted = [m for m in measures if m.status != M.DROPPED]
    if not counted:
        return None
    progress = [100 if m.status == M.DONE else m.progress for m in counted]
    basis = weighting(counted)
    if basis == "weights":
        weights = [m.weight or 0 for m in counted]
    elif basis == "costs":
        weights = [m.cost_cents or 0 for m in counted]
    else:
        weights = [1] * len(counted)
    total = sum(weights)
    result = _rounded(sum(w * p for w, p in zip(weights, progress, strict=True)), total)
    if result == 100 and any(p < 100 for p in progress):
        return 99
    if result == 0 and any(p > 0 for p in progress):
        return 1
    return result


def weighting(measures: Sequence[Counted]) -> str | None:
    """Which weighting derived_progress uses: weights, costs or average (None: no measure)."""
    counted = [m for m in measures if m.status != M.DROPPED]
    if not counted:
        return None
    if all(m.weight is not None for m in counted):
        return "weights"
    if all(m.cost_cents is not None and m.cost_cents > 0 for m in counted):
        return "costs"
    return "average"
