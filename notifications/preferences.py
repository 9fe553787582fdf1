"""How a person wants to hear of things: per kind of notification and channel, her quiet
hours, the language of her emails, and her consent to email at all.

A choice is stored only where it differs from what holds already, so a form that posts
every kind back leaves the kinds she never touched on their defaults, and a default
changed later reaches her. The dispatcher reads the rows (notifications.dispatch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from notifications import kinds
from notifications.kinds import Category, Kind
from notifications.models import Cadence, Channel, NotificationPreference, NotificationSettings
from participation import unit
from participation.accounts.identity import consent
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, ConsentState
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotAuthenticated
from participation.messages import Message

LANGUAGES = ("de", "en")
INBOX_CADENCES = (Cadence.IMMEDIATE, Cadence.OFF)
EMAIL_CADENCES = tuple(Cadence)
CATEGORY_ORDER = {category: rank for rank, category in enumerate(Category)}


@dataclass(frozen=True)
class KindChoice:
    """What holds for one kind: her choice where she made one, else the kind's default."""

    kind: Kind
    inbox: Cadence
    email: Cadence


@dataclass(frozen=True)
class Preferences:
    kinds: list[KindChoice]
    quiet_hours: bool
    quiet_from: int
    quiet_until: int
    language: str
    email_consent: ConsentState


@dataclass(frozen=True)
class KindChange:
    """A change asked for: None leaves that channel as it is."""

    event: str
    inbox: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class SettingsChange:
    """Changes to quiet hours and email language: None leaves a setting as it is."""

    quiet_hours: bool | None = None
    quiet_from: int | None = None
    quiet_until: int | None = None
    language: str | None = None


@dataclass
class _Problems:
    errors: list[FieldError] = field(default_factory=list)

    def add(self, name: str, message: Message) -> None:
        self.errors.append(FieldError(name, message))


def _need(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    return actor


def ordered_kinds() -> list[Kind]:
    """Every registered kind, by category as the page groups them, then by event name."""
    return sorted(kinds.registered().values(), key=lambda k: (CATEGORY_ORDER[k.category], k.event))


async def _chosen(user_id: int) -> dict[tuple[str, Channel], Cadence]:
    rows = await NotificationPreference.filter(user_id=user_id)
    return {(row.event, Channel(row.channel)): Cadence(row.cadence) for row in rows}


def _holding(kind: Kind, chosen: dict[tuple[str, Channel], Cadence]) -> KindChoice:
    inbox = chosen.get((kind.event, Channel.INBOX), kind.inbox) if kind.optional else kind.inbox
    return KindChoice(kind, inbox, chosen.get((kind.event, Channel.EMAIL), kind.email))


async def preferences_of(actor: Actor | None) -> Preferences:
    """Everything the settings page shows. Raises NotAuthenticated."""
    actor = _need(actor)
    chosen = await _chosen(actor.user_id)
    settings = await NotificationSettings.get_or_none(user_id=actor.user_id)
    settings = settings or NotificationSettings(user_id=actor.user_id)
    states = {state.topic.name: state for state in await consent.consents_of(actor)}
    return Preferences(
        kinds=[_holding(kind, chosen) for kind in ordered_kinds()],
        quiet_hours=settings.quiet_hours,
        quiet_from=settings.quiet_from,
        quiet_until=settings.quiet_until,
        language=settings.language,
        email_consent=states[EMAIL_NOTIFICATIONS],
    )


def _cadence(value: str, allowed: Sequence[Cadence], name: str, problems: _Problems) -> Cadence:
    if value in {c.value for c in allowed}:
        return Cadence(value)
    problems.add(
        name,
        Message("Choose one of: %(allowed)s.", allowed=", ".join(c.value for c in allowed)),
    )
    return Cadence.OFF


def _check_kinds(
    changes: Sequence[KindChange], problems: _Problems
) -> list[tuple[Kind, Channel, Cadence]]:
    registry = kinds.registered()
    wanted: list[tuple[Kind, Channel, Cadence]] = []
    for index, change in enumerate(changes):
        where = f"kinds.{index}"
        kind = registry.get(change.event)
        if kind is None:
            problems.add(f"{where}.event", Message("There is no such kind of notification."))
            continue
        if change.inbox is not None:
            inbox = _cadence(change.inbox, INBOX_CADENCES, f"{where}.inbox", problems)
            if not kind.optional and inbox is Cadence.OFF:
                problems.add(
                    f"{where}.inbox",
                    Message("This notification is always shown in the inbox."),
                )
            elif kind.optional:
                wanted.append((kind, Channel.INBOX, inbox))
        if change.email is not None:
            email = _cadence(change.email, EMAIL_CADENCES, f"{where}.email", problems)
            wanted.append((kind, Channel.EMAIL, email))
    return wanted


def _check_settings(
    change: SettingsChange, current: NotificationSettings, problems: _Problems
) -> None:
    for name, hour in (("quiet_from", change.quiet_from), ("quiet_until", change.quiet_until)):
        if hour is not None and not 0 <= hour <= 23:
            problems.add(f"quiet_hours.{name}", Message("An hour from 0 to 23."))
    if change.language is not None and change.language not in LANGUAGES:
        problems.add("language", Message("Emails are written in German (de) or English (en)."))
    start = current.quiet_from if change.quiet_from is None else change.quiet_from
    end = current.quiet_until if change.quiet_until is None else change.quiet_until
    if start == end:
        problems.add(
            "quiet_hours.quiet_until",
            Message("Quiet hours must end at another hour than they start."),
        )


async def change_preferences(
    actor: Actor | None,
    changes: Sequence[KindChange] = (),
    settings: SettingsChange | None = None,
    email_consent: tuple[bool, str | None] | None = None,
) -> Preferences:
    """Change how she hears of things, all or nothing: choices per kind and channel (the
    inbox takes only immediate or off, and kinds that are not optional stay on), quiet
    hours (hours 0–23, ending at another hour than they start), the email language, and
    her consent to email (granted with the wording version she was shown).

    Raises NotAuthenticated, InvalidInput naming each bad field (`kinds.<n>.event`,
    `kinds.<n>.inbox`, `kinds.<n>.email`, `quiet_hours.quiet_from`,
    `quiet_hours.quiet_until`, `language`, `wording_version`) and Conflict for a consent
    wording that has changed since it was shown.
    """
    actor = _need(actor)
    settings = settings or SettingsChange()
    problems = _Problems()
    wanted = _check_kinds(changes, problems)
    async with unit.atomic() as u:
        current = await NotificationSettings.filter(user_id=actor.user_id).using_db(u.conn).first()
        _check_settings(settings, current or NotificationSettings(), problems)
        if problems.errors:
            raise InvalidInput(
                Message("The notification settings have invalid fields."), problems.errors
            )
        changed = await _store_kinds(u, actor.user_id, wanted)
        changed = await _store_settings(u, actor.user_id, current, settings) or changed
        if changed:
            await u.record(
                "notifications:preferences:changed",
                "user",
                actor.user_id,
                municipality_id=None,
                actor_id=actor.user_id,
                user_id=actor.user_id,
            )
        if email_consent is not None:
            await consent.update_consents(actor, {EMAIL_NOTIFICATIONS: email_consent})
    return await preferences_of(actor)


async def _store_kinds(
    u: unit.Unit, user_id: int, wanted: list[tuple[Kind, Channel, Cadence]]
) -> bool:
    rows = await NotificationPreference.filter(user_id=user_id).using_db(u.conn)
    stored = {(row.event, Channel(row.channel)): row for row in rows}
    changed = False
    for kind, channel, cadence in wanted:
        row = stored.get((kind.event, channel))
        holding = (
            Cadence(row.cadence)
            if row
            else (kind.inbox if channel is Channel.INBOX else kind.email)
        )
        if holding is cadence:
            continue
        changed = True
        if row is None:
            stored[(kind.event, channel)] = await NotificationPreference.create(
                user_id=user_id, event=kind.event, channel=channel, cadence=cadence, using_db=u.conn
            )
        else:
            row.cadence = cadence
            await row.save(using_db=u.conn, update_fields=["cadence"])
    return changed


async def _store_settings(
    u: unit.Unit, user_id: int, current: NotificationSettings | None, change: SettingsChange
) -> bool:
    row = current or NotificationSettings(user_id=user_id)
    values = {
        "quiet_hours": change.quiet_hours,
        "quiet_from": change.quiet_from,
        "quiet_until": change.quiet_until,
        "language": change.language,
    }
    updates = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
    if not updates:
        return False
    for name, value in updates.items():
        setattr(row, name, value)
    await row.save(using_db=u.conn)
    return True
