"""The event catalogue: every event name, what its payload holds, and who consumes it.

The one place to look up an event. `unit.record` checks each event against it, so
every test run checks the code against the catalogue; tests/participation/outbox
checks the batched statements' events and that each entry is recorded somewhere.

Payload conventions: ids are named `<thing>_id` (mandate_id, vote_id, user_id); the
payload names its subject by the same key as the envelope's subject (a vote's event
has `vote_id`), so a handler reading only the payload finds it; envelope fields
otherwise stay out of it. Events that announce a timeline entry carry it as `entry`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from participation.mandates.models import Status
from participation.outbox.consumers import Consumer, registered
from participation.votes.lifecycle import EVENT_NAMES
from participation.votes.models import VoteStatus


@dataclass(frozen=True)
class Entry:
    """One event: its subject type, the payload keys it always has and those it may have."""

    name: str
    subject_type: str
    fields: frozenset[str]
    summary: str
    optional: frozenset[str] = frozenset()

    def check(self, payload: Mapping[str, object]) -> None:
        keys = set(payload)
        missing = self.fields - keys
        unknown = keys - self.fields - self.optional
        if missing or unknown:
            raise ValueError(
                f"event {self.name!r}: payload keys {sorted(keys)} do not match the catalogue "
                f"(missing {sorted(missing)}, unknown {sorted(unknown)})"
            )


def _entry(
    name: str, subject: str, fields: Iterable[str], summary: str, optional: Iterable[str] = ()
) -> Entry:
    return Entry(name, subject, frozenset(fields), summary, frozenset(optional))


_ACCOUNT = ("user_id",)
_PASSKEY = ("user_id", "passkey_id")
_CONSENT = ("user_id", "topic", "wording_version")
_ENTRY = ("entry",)
# A vote's move is on its mandate's timeline (`entry`) or, for a vote of its own, bare.
_VOTE_MOVE = ("vote_id", "title", "from", "to", "reason", "entry")

ENTRIES: tuple[Entry, ...] = (
    _entry("accounts:user:renamed", "user", _ACCOUNT, "A person changed her display name."),
    _entry("accounts:user:deleted", "user", _ACCOUNT, "An account was deleted and erased."),
    _entry("accounts:passkey:added", "user", _PASSKEY, "A passkey was registered."),
    _entry("accounts:passkey:renamed", "user", _PASSKEY, "A passkey got a new name."),
    _entry("accounts:passkey:removed", "user", _PASSKEY, "A passkey was removed."),
    _entry("accounts:role:granted", "user", ("user_id", "role"), "A role was given here."),
    _entry("accounts:role:revoked", "user", ("user_id", "role"), "A role was taken away."),
    _entry(
        "accounts:residency:verified",
        "user",
        ("user_id", "source"),
        "Residence proven, by an administrator or a service portal.",
    ),
    _entry("accounts:consent:granted", "user", _CONSENT, "Consent to a topic was given."),
    _entry("accounts:consent:withdrawn", "user", _CONSENT, "Consent to a topic was withdrawn."),
    _entry("mandates:mandate:launched", "mandate", _ENTRY, "A mandate was drafted."),
    *(
        _entry(
            f"mandates:mandate:{status.value}",
            "mandate",
            _ENTRY,
            f"The mandate moved to {status.value}.",
        )
        for status in Status
        if status != Status.DRAFT
    ),
    _entry("mandates:milestone:reached", "mandate", _ENTRY, "A share of the quorum was reached."),
    _entry("mandates:signature:created", "mandate", ("mandate_id",), "A co-signature."),
    _entry(
        "mandates:signature:withdrawn",
        "mandate",
        (),
        "A co-signature was withdrawn.",
        optional=("mandate_id",),
    ),
    _entry(
        "votes:vote:created",
        "vote",
        ("vote_id",),
        "A vote was drafted.",
        optional=("mandate_id", "mandate"),
    ),
    *(
        _entry(
            f"votes:vote:{EVENT_NAMES[status]}",
            "vote",
            (),
            f"The vote moved to {status.value}.",
            optional=_VOTE_MOVE,
        )
        for status in VoteStatus
    ),
    # No person and no choice in it: only that the turnout changed.
    _entry("votes:ballot:cast", "vote", ("vote_id",), "A ballot was cast or replaced."),
)

CATALOGUE: dict[str, Entry] = {entry.name: entry for entry in ENTRIES}


def check(name: str, payload: Mapping[str, object]) -> None:
    """Raise ValueError unless `name` is in the catalogue and `payload` has its keys."""
    entry = CATALOGUE.get(name)
    if entry is None:
        raise ValueError(f"event {name!r} is not in the catalogue (participation.outbox.catalogue)")
    entry.check(payload)


def consumers_of(name: str, consumers: Iterable[Consumer] | None = None) -> list[str]:
    """The consumers whose patterns match `name`, registered ones unless given."""
    known = registered() if consumers is None else consumers
    return [consumer.name for consumer in known if consumer.matches(name)]


def markdown(consumers: Iterable[Consumer] | None = None) -> str:
    """The catalogue as a Markdown table, for the README."""
    known = list(registered() if consumers is None else consumers)
    rows = [
        "| event | subject | payload | consumers | what happened |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in ENTRIES:
        fields = [f"`{f}`" for f in sorted(entry.fields)]
        fields += [f"`{f}`?" for f in sorted(entry.optional)]
        rows.append(
            f"| `{entry.name}` | {entry.subject_type} | {', '.join(fields) or '—'} "
            f"| {', '.join(consumers_of(entry.name, known)) or '—'} | {entry.summary} |"
        )
    return "\n".join(rows) + "\n"
