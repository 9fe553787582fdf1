"""What a flag, a moderator's reason and a suspension must satisfy; pure, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta

from participation import single_line
from participation.deliberation.models import Comment
from participation.messages import Message
from participation.moderation.models import FlagReason

FLAG_TEXT_MAX = 1_000
REASON_MAX = 500
SUSPENSION_MAX = timedelta(days=365)
# What readers see in place of a comment the flag threshold hid.
AUTO_HIDE_REASON = "hidden pending review after reports"
REASONS = ", ".join(r.value for r in FlagReason)


def check_flag_reason(reason: str) -> tuple[FlagReason | None, str | None]:
    try:
        return FlagReason(reason), None
    except ValueError:
        return None, Message("Choose one of %(reasons)s.", reasons=REASONS)


def check_flag_text(reason: FlagReason | None, text: str | None) -> str | None:
    """`other` needs a text saying what is wrong; the others may add one."""
    text = (text or "").strip()
    if reason == FlagReason.OTHER and not text:
        return Message("Say what is wrong with this comment.")
    if len(text) > FLAG_TEXT_MAX:
        return Message("The text must be at most %(max)s characters.", max=FLAG_TEXT_MAX)
    if "\x00" in text:
        return Message("The text must not contain NUL characters.")
    return None


def check_reason(reason: str | None) -> str | None:
    """A moderator's public reason: required, short, one paragraph of plain text."""
    reason = (reason or "").strip()
    if not reason:
        return Message("Give the reason; it is shown publicly.")
    if len(reason) > REASON_MAX:
        return Message("The reason must be at most %(max)s characters.", max=REASON_MAX)
    return single_line.problem(reason)


def check_until(until: datetime | None, now: datetime) -> str | None:
    if until is None:
        return Message("Give the end of the suspension.")
    if until.tzinfo is None:
        return Message("Give the end with its time zone, such as 2027-02-08T12:00:00+01:00.")
    if until <= now:
        return Message("The end of the suspension must lie in the future.")
    if until > now + SUSPENSION_MAX:
        return Message("A suspension lasts at most a year.")
    return None


def awaits_review(comment: Comment) -> bool:
    """Hidden by the threshold, or its author asked for a look since it was hidden."""
    if comment.hidden_at is None:
        return False
    if comment.hidden_pending_review:
        return True
    requested = comment.review_requested_at
    return requested is not None and requested >= comment.hidden_at
