"""What an official answer and an assignment must satisfy; pure, no I/O."""

from __future__ import annotations

from urllib.parse import urlsplit

from participation import single_line
from participation.answers.models import ResponseKind
from participation.mandates.models import Status
from participation.messages import Message

BODY_MAX = 20_000
REFERENCE_MAX = 64
URL_MAX = 500

# A mandate reaches the council when its quorum is reached; from then on it is answered,
# also after the decision (an update on how a rejection was handled, say).
ANSWERABLE = frozenset(
    {
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.REJECTED,
    }
)
# Assigned while the council works on it: the statuses of the review queue.
ASSIGNABLE = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS})

KINDS = ", ".join(k.value for k in ResponseKind)


def check_kind(kind: str) -> tuple[ResponseKind | None, str | None]:
    try:
        return ResponseKind(kind), None
    except ValueError:
        return None, Message("Choose one of %(kinds)s.", kinds=KINDS)


def check_body(body: str) -> str | None:
    if not (body or "").strip():
        return Message("Write the answer.")
    if len(body) > BODY_MAX:
        return Message("The answer must be at most %(max)s characters.", max=BODY_MAX)
    if "\x00" in body:
        return Message("The answer must not contain NUL characters.")
    return None


def check_reference(reference: str | None) -> str | None:
    if reference is None:
        return None
    if len(reference) > REFERENCE_MAX:
        return Message("The reference must be at most %(max)s characters.", max=REFERENCE_MAX)
    return single_line.problem(reference)


def check_url(url: str | None) -> str | None:
    """None when `url` is a plausible http(s) address of a page, else the message."""
    if url is None:
        return None
    if len(url) > URL_MAX:
        return Message("The address must be at most %(max)s characters.", max=URL_MAX)
    bad = Message("Enter a web address starting with https:// or http://.")
    if any(c.isspace() or not c.isprintable() for c in url):
        return bad
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return bad
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        return bad
    if parts.username or parts.password:
        return bad
    return None


def blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
