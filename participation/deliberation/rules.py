"""What a comment must satisfy; pure, no I/O."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from participation.deliberation.models import MAX_DEPTH, Stance
from participation.messages import Message

BODY_MAX = 10_000
EDIT_WINDOW = timedelta(minutes=15)
DUPLICATE_WINDOW = timedelta(minutes=10)
# Links a comment of an account younger than the municipality's `new_account_hours` may hold.
NEW_ACCOUNT_LINKS = 2
# How many arguments each side of the balanced view shows, at most.
BALANCED_MAX = 20

STANCES = ", ".join(s.value for s in Stance)


def check_body(body: str) -> str | None:
    if not (body or "").strip():
        return Message("Write the comment.")
    if len(body) > BODY_MAX:
        return Message("A comment must be at most %(max)s characters.", max=BODY_MAX)
    if "\x00" in body:
        return Message("The comment must not contain NUL characters.")
    return None


def check_stance(stance: str) -> tuple[Stance | None, str | None]:
    try:
        return Stance(stance), None
    except ValueError:
        return None, Message("Choose one of %(stances)s.", stances=STANCES)


def placement(parent_depth: int, parent_id: int, parents_parent_id: int | None) -> tuple[int, int]:
    """(depth, parent id) of a reply: one deeper than its parent, except under a comment
    at MAX_DEPTH, where it goes beside it, under the same parent, at MAX_DEPTH."""
    if parent_depth >= MAX_DEPTH and parents_parent_id is not None:
        return MAX_DEPTH, parents_parent_id
    return parent_depth + 1, parent_id


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and any(name == "href" for name, _ in attrs):
            self.count += 1


def count_links(body_html: str) -> int:
    """Links in the rendered comment: what a reader can follow, whatever Markdown form
    (inline, reference, autolink, linkified text) made them."""
    parser = _Links()
    parser.feed(body_html)
    parser.close()
    return parser.count


def too_many_links(body_html: str) -> str | None:
    if count_links(body_html) > NEW_ACCOUNT_LINKS:
        return Message(
            "New accounts may put at most %(max)s links in a comment.", max=NEW_ACCOUNT_LINKS
        )
    return None
