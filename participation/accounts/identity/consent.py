"""Consent to being contacted: the wording people agree to, and the record of each choice.

The wording lives here in both languages rather than in the gettext catalogue: a consent
is only as good as the proof of what the person read, so every change of text gets a new
version, and old versions stay listed for the records that refer to them.
Records are append-only. The current state of a topic is its latest record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import unit
from participation.accounts.models import Consent
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from participation.messages import Message

DEFAULT_LANGUAGE = "de"


@dataclass(frozen=True)
class Topic:
    name: str
    title: Mapping[str, str]
    # Version → language → the exact text shown next to the checkbox; the last is current.
    wordings: Mapping[str, Mapping[str, str]]

    @property
    def current(self) -> str:
        return list(self.wordings)[-1]

    def wording(self, language: str, version: str | None = None) -> str:
        texts = self.wordings[version or self.current]
        return texts.get(language) or texts[DEFAULT_LANGUAGE]

    def heading(self, language: str) -> str:
        return self.title.get(language) or self.title[DEFAULT_LANGUAGE]


EMAIL_NOTIFICATIONS = "email_notifications"
SERVICE_VISIT_INVITATIONS = "service_visit_invitations"

TOPICS: dict[str, Topic] = {
    EMAIL_NOTIFICATIONS: Topic(
        EMAIL_NOTIFICATIONS,
        title={"de": "Benachrichtigungen per E-Mail", "en": "Email notifications"},
        wordings={
            "1": {
                "de": "Ich möchte E-Mails zu Aufträgen erhalten, die ich gestartet oder "
                "mitgezeichnet habe: wenn sich ihr Status ändert, der Gemeinderat antwortet "
                "oder über den Fortschritt berichtet. Ich kann diese Einwilligung jederzeit "
                "auf meiner Kontoseite widerrufen.",
                "en": "I want to receive emails about mandates I launched or co-signed: when "
                "their status changes, the council answers or reports progress. I can "
                "withdraw this consent at any time on my account page.",
            },
        },
    ),
    SERVICE_VISIT_INVITATIONS: Topic(
        SERVICE_VISIT_INVITATIONS,
        title={"de": "Einladungen nach Behördengängen", "en": "Invitations after service visits"},
        wordings={
            "1": {
                "de": "Wenn ich eine Dienstleistung meiner Gemeinde genutzt habe (zum Beispiel "
                "im Bürgerbüro), darf Auftrag mich per E-Mail zu offenen Beteiligungen "
                "einladen, die zu meinem Anliegen passen. Ich kann diese Einwilligung "
                "jederzeit auf meiner Kontoseite widerrufen.",
                "en": "When I have used a service of my municipality (for example at the "
                "citizens' office), Auftrag may invite me by email to open consultations that "
                "match my concern. I can withdraw this consent at any time on my account page.",
            },
        },
    ),
}


@dataclass(frozen=True)
class ConsentState:
    """Where a person stands on one topic: never asked, granted (to which wording) or not."""

    topic: Topic
    granted: bool
    wording_version: str | None
    changed_at: datetime | None

    @property
    def needs_renewal(self) -> bool:
        """Granted to a wording that has changed since: ask again before relying on it."""
        return self.granted and self.wording_version != self.topic.current


def topic_named(name: str) -> Topic:
    """The topic, or NotFound: topics come from URLs, so an unknown one names nothing."""
    topic = TOPICS.get(name)
    if topic is None:
        raise NotFound(Message("There is no consent topic %(name)r.", name=name[:48]))
    return topic


def check_wording(topic: Topic, version: str | None) -> str:
    """The version, if it is the current wording of `topic`.

    Raises InvalidInput (field `wording_version`) for a version that never existed, and
    Conflict for one that was replaced: the person agreed to a text no longer shown.
    """
    if version == topic.current:
        return version
    if version in topic.wordings:
        raise Conflict(
            Message(
                "The wording of this consent has changed. Read the current wording and agree again."
            ),
            current_version=topic.current,
        )
    raise _unknown(topic)


def _unknown(topic: Topic) -> InvalidInput:
    return InvalidInput.on(
        "wording_version",
        Message("Unknown wording version; the current one is %(current)r.", current=topic.current),
    )


def _withdrawn_wording(topic: Topic, version: str | None) -> str | None:
    """Withdrawing needs no version; one that is given must have existed."""
    if version is not None and version not in topic.wordings:
        raise _unknown(topic)
    return version


async def _latest(user_id: int, connection: BaseDBAsyncClient | None = None) -> dict[str, Consent]:
    rows = await Consent.filter(user_id=user_id).using_db(connection).order_by("id")
    return {row.topic: row for row in rows}


def _state(topic: Topic, row: Consent | None) -> ConsentState:
    if row is None:
        return ConsentState(topic, False, None, None)
    return ConsentState(topic, row.granted, row.wording_version, row.created_at)


async def consents_of(actor: Actor | None) -> list[ConsentState]:
    """The actor's current choice on every topic, in the order the topics are listed."""
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    latest = await _latest(actor.user_id)
    return [_state(topic, latest.get(name)) for name, topic in TOPICS.items()]


async def update_consents(
    actor: Actor | None, choices: Mapping[str, tuple[bool, str | None]]
) -> list[ConsentState]:
    """Grant or withdraw several topics at once: topic → (granted, wording version shown).

    A grant needs the current wording version (see check_wording); a withdrawal is always
    accepted, whatever wording the person saw, if it ever existed. A choice equal to the
    current state records nothing. All choices are checked before any is written. Raises
    NotAuthenticated, NotFound, InvalidInput and Conflict.
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    checked = {
        topic_named(name).name: (
            granted,
            check_wording(TOPICS[name], version)
            if granted
            else _withdrawn_wording(TOPICS[name], version),
        )
        for name, (granted, version) in choices.items()
    }
    async with unit.atomic() as u:
        latest = await _latest(actor.user_id, u.conn)
        for name, (granted, version) in checked.items():
            before = _state(TOPICS[name], latest.get(name))
            recorded = version or TOPICS[name].current
            if before.granted == granted and (not granted or before.wording_version == version):
                continue
            latest[name] = await Consent.create(
                user_id=actor.user_id,
                topic=name,
                granted=granted,
                wording_version=recorded,
                using_db=u.conn,
            )
            await u.record(
                "accounts:consent:granted" if granted else "accounts:consent:withdrawn",
                "user",
                actor.user_id,
                municipality_id=None,
                actor_id=actor.user_id,
                user_id=actor.user_id,
                topic=name,
                wording_version=recorded,
            )
    return [_state(topic, latest.get(name)) for name, topic in TOPICS.items() if name in checked]


async def grant_consent(actor: Actor | None, topic: str, wording_version: str) -> ConsentState:
    """Agree to `topic` as worded in `wording_version`, which must be the current one."""
    return (await update_consents(actor, {topic: (True, wording_version)}))[0]


async def withdraw_consent(
    actor: Actor | None, topic: str, wording_version: str | None = None
) -> ConsentState:
    """Take back consent to `topic`; always possible, and as easy as giving it. A wording
    version is not needed; one that is given must be one the topic ever had."""
    return (await update_consents(actor, {topic: (False, wording_version)}))[0]


async def has_consent(user_id: int, topic: str) -> bool:
    """For senders: whether the person's latest choice on `topic` is a grant."""
    row = await Consent.filter(user_id=user_id, topic=topic).order_by("-id").first()
    return row is not None and row.granted


async def consent_history(user_id: int) -> list[Consent]:
    """Every grant and withdrawal, oldest first: the proof, and part of the data export."""
    return await Consent.filter(user_id=user_id).order_by("id")
