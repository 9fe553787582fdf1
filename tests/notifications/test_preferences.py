"""Choices per kind and channel, quiet hours, email language and email consent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notifications.kinds import Category, Kind
from notifications.models import Cadence, NotificationPreference, NotificationSettings
from notifications.preferences import (
    KindChange,
    SettingsChange,
    change_preferences,
    preferences_of,
)
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, TOPICS, has_consent
from participation.errors import Conflict, InvalidInput, NotAuthenticated
from participation.outbox.models import OutboxEvent
from tests.factories import notifications, person

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture
def kinds() -> Iterator[tuple[Kind, ...]]:
    with notifications.registered() as declared:
        yield declared


def _fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e.field for e in exc.value.errors}


async def test_without_choices_the_kinds_defaults_hold_grouped_by_category(
    kinds: tuple[Kind, ...],
) -> None:
    found = await preferences_of(await person())
    ours = [c for c in found.kinds if c.kind.event.startswith("tests:")]
    assert [(c.kind.category, c.inbox, c.email) for c in ours] == [
        (Category.MANDATES, Cadence.IMMEDIATE, Cadence.IMMEDIATE),
        (Category.VOTES, Cadence.IMMEDIATE, Cadence.WEEKLY),
        (Category.MODERATION, Cadence.IMMEDIATE, Cadence.IMMEDIATE),
    ]
    assert (found.quiet_hours, found.quiet_from, found.quiet_until) == (True, 22, 7)
    assert found.language == "de"
    assert not found.email_consent.granted


async def test_a_choice_is_kept_and_only_what_differs_is_stored(kinds: tuple[Kind, ...]) -> None:
    anna = await person()
    found = await change_preferences(
        anna,
        [
            KindChange(notifications.QUORUM, inbox="off", email="daily"),
            KindChange(notifications.DIGESTED, inbox="immediate", email="weekly"),
        ],
    )
    quorum = next(c for c in found.kinds if c.kind.event == notifications.QUORUM)
    assert (quorum.inbox, quorum.email) == (Cadence.OFF, Cadence.DAILY)
    stored = await NotificationPreference.filter(user_id=anna.user_id).values_list(
        "event", "channel", "cadence"
    )
    assert sorted(stored) == [
        (notifications.QUORUM, "email", "daily"),
        (notifications.QUORUM, "inbox", "off"),
    ]
    await change_preferences(anna, [KindChange(notifications.QUORUM, inbox="immediate")])
    again = await preferences_of(anna)
    assert next(c for c in again.kinds if c.kind.event == notifications.QUORUM).inbox == "immediate"
    assert await NotificationPreference.filter(user_id=anna.user_id).count() == 2
    changed = await OutboxEvent.filter(name="notifications:preferences:changed").count()
    assert changed == 2


async def test_bad_choices_name_their_fields_and_store_nothing(kinds: tuple[Kind, ...]) -> None:
    anna = await person()
    with pytest.raises(InvalidInput) as bad:
        await change_preferences(
            anna,
            [
                KindChange(notifications.QUORUM, email="daily"),
                KindChange("tests:nothing:known", inbox="off"),
                KindChange(notifications.QUORUM, inbox="daily"),
                KindChange(notifications.HIDDEN, inbox="off"),
                KindChange(notifications.DIGESTED, email="hourly"),
            ],
            SettingsChange(quiet_from=24, language="fr"),
        )
    assert _fields(bad) == {
        "kinds.1.event",
        "kinds.2.inbox",
        "kinds.3.inbox",
        "kinds.4.email",
        "quiet_hours.quiet_from",
        "language",
    }
    assert not await NotificationPreference.filter(user_id=anna.user_id).exists()
    with pytest.raises(NotAuthenticated):
        await change_preferences(None, [])


async def test_quiet_hours_and_language_change_but_never_start_and_end_at_one_hour() -> None:
    anna = await person()
    found = await change_preferences(
        anna,
        settings=SettingsChange(quiet_hours=False, quiet_from=23, quiet_until=6, language="en"),
    )
    assert (found.quiet_hours, found.quiet_from, found.quiet_until, found.language) == (
        False,
        23,
        6,
        "en",
    )
    with pytest.raises(InvalidInput) as same:
        await change_preferences(anna, settings=SettingsChange(quiet_until=23))
    assert _fields(same) == {"quiet_hours.quiet_until"}
    stored = await NotificationSettings.get(user_id=anna.user_id)
    assert (stored.quiet_from, stored.quiet_until) == (23, 6)


async def test_the_email_consent_changes_with_the_rest_or_not_at_all(
    kinds: tuple[Kind, ...],
) -> None:
    anna = await person()
    current = TOPICS[EMAIL_NOTIFICATIONS].current
    found = await change_preferences(
        anna, [KindChange(notifications.QUORUM, email="weekly")], email_consent=(True, current)
    )
    assert found.email_consent.granted
    assert await has_consent(anna.user_id, EMAIL_NOTIFICATIONS)
    with pytest.raises((InvalidInput, Conflict)):
        await change_preferences(
            anna, [KindChange(notifications.QUORUM, email="off")], email_consent=(True, "0")
        )
    after = await preferences_of(anna)
    assert next(c for c in after.kinds if c.kind.event == notifications.QUORUM).email == "weekly"
    await change_preferences(anna, email_consent=(False, None))
    assert not await has_consent(anna.user_id, EMAIL_NOTIFICATIONS)
