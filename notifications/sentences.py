"""Each notification as one sentence in the reader's language, made from its event name
and the facts it keeps: Messages, so the pages translate them and the API reads English."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from participation.messages import Message

_Say = Callable[[dict[str, Any]], Message]

_SENTENCES: dict[str, _Say] = {
    "mandates:mandate:submitted": lambda p: Message(
        "“%(title)s” reached its quorum and goes to the council.", **p
    ),
    "mandates:mandate:reviewed": lambda p: Message("The council is reviewing “%(title)s”.", **p),
    "mandates:mandate:accepted": lambda p: Message("The council accepted “%(title)s”.", **p),
    "mandates:mandate:started": lambda p: Message("Work on “%(title)s” has started.", **p),
    "mandates:mandate:completed": lambda p: Message(
        "“%(title)s” was completed. How well was it done?", **p
    ),
    "mandates:mandate:rejected": lambda p: Message("The council rejected “%(title)s”.", **p),
    "mandates:mandate:expired": lambda p: Message(
        "“%(title)s” expired without reaching its quorum.", **p
    ),
    "mandates:mandate:withdrawn": lambda p: Message("“%(title)s” was withdrawn.", **p),
    "mandates:mandate:published": lambda p: Message(
        "A new mandate where you follow: “%(title)s”.", **p
    ),
    "mandates:milestone:reached": lambda p: Message(
        "“%(title)s” reached %(share)s%% of its quorum.", **p
    ),
    "answers:response:published": lambda p: Message("The council answered “%(title)s”.", **p),
    "answers:mandate:assigned": lambda p: Message(
        "“%(title)s” was assigned to you or your department.", **p
    ),
    "costs:analysis:published": lambda p: Message(
        "A cost analysis of “%(title)s” was published.", **p
    ),
    "plans:measure:created": lambda p: Message("A new measure for “%(title)s”: %(measure)s.", **p),
    "plans:measure:updated": lambda p: Message(
        "The measure “%(measure)s” of “%(title)s” was updated.", **p
    ),
    "plans:milestone:reached": lambda p: Message(
        "The measure “%(measure)s” of “%(title)s” reached a milestone.", **p
    ),
    "votes:vote:opened": lambda p: Message("The vote “%(title)s” is open.", **p),
    "votes:vote:closing": lambda p: Message("The vote “%(title)s” closes tomorrow.", **p),
    "votes:vote:published": lambda p: Message("The results of the vote “%(title)s” are out.", **p),
    "deliberation:comment:replied": lambda p: Message(
        "%(actor)s replied to your comment on “%(title)s”.", **p
    ),
    "deliberation:comment:posted": lambda p: Message("%(actor)s commented on “%(title)s”.", **p),
    "moderation:comment:hidden": lambda p: Message(
        "Your comment on “%(title)s” was hidden: %(reason)s", **p
    ),
    "moderation:comment:restored": lambda p: Message(
        "Your comment on “%(title)s” is shown again.", **p
    ),
    "moderation:account:suspended": lambda p: Message(
        "Your account was suspended: %(reason)s", **p
    ),
    "council:promise:reminded": lambda p: Message(
        "A first answer to “%(title)s” is due tomorrow.", **p
    ),
    "council:promise:missed": lambda p: Message(
        "The promised first answer to “%(title)s” is overdue.", **p
    ),
    "municipalities:barrier:reported": lambda p: Message(
        "Someone reported a barrier on the pages of %(title)s.", **p
    ),
}


def _params(data: Mapping[str, Any], count: int) -> dict[str, Any]:
    return {
        "title": data.get("subject_title") or "",
        "actor": data.get("actor_name") or Message("Someone"),
        "measure": data.get("measure_title") or "",
        "share": data.get("share") or "",
        "reason": data.get("reason") or "",
        "count": count,
    }


def sentence(event: str, data: Mapping[str, Any], count: int = 1) -> Message:
    """What the notification says; `count` unread ones of a group are said at once."""
    params = _params(data, count)
    if count > 1:
        if event == "deliberation:comment:posted":
            return Message("%(count)s new comments on “%(title)s”.", **params)
        return Message("%(count)s updates on “%(title)s”.", **params)
    if event == "deliberation:comment:posted" and data.get("official"):
        return Message("An official statement on “%(title)s”.", **params)
    say = _SENTENCES.get(event)
    return say(params) if say else Message("News about “%(title)s”.", **params)


def translated(message: Message, gettext: Callable[[str], str]) -> str:
    """The sentence in `gettext`'s language, a nested Message (the actor) translated too."""
    params = {
        key: value.translated(gettext) if isinstance(value, Message) else value
        for key, value in message.params.items()
    }
    return gettext(message.id) % params
