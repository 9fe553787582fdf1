"""Consent records: append-only, each with its time and the version of the wording shown."""

from __future__ import annotations

import pytest

from participation.accounts.identity import consent
from participation.accounts.identity.consent import (
    EMAIL_NOTIFICATIONS,
    SERVICE_VISIT_INVITATIONS,
    Topic,
    consent_history,
    consents_of,
    grant_consent,
    has_consent,
    update_consents,
    withdraw_consent,
)
from participation.accounts.models import Consent
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from participation.outbox.models import OutboxEvent
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture
async def clara() -> Actor:
    return await factories.person(name="Clara")


@pytest.fixture
def reworded(monkeypatch: pytest.MonkeyPatch) -> Topic:
    """The email topic after its wording changed: version 2 is current, 1 is outdated."""
    topic = Topic(
        EMAIL_NOTIFICATIONS,
        title={"de": "E-Mails", "en": "Emails"},
        wordings={"1": {"de": "Alt.", "en": "Old."}, "2": {"de": "Neu.", "en": "New."}},
    )
    monkeypatch.setitem(consent.TOPICS, EMAIL_NOTIFICATIONS, topic)
    return topic


async def test_every_topic_has_a_current_wording_in_both_languages() -> None:
    assert set(consent.TOPICS) == {EMAIL_NOTIFICATIONS, SERVICE_VISIT_INVITATIONS}
    for topic in consent.TOPICS.values():
        assert topic.wording("de") != topic.wording("en")
        assert topic.heading("en") and topic.heading("de")
        assert topic.wording("fr") == topic.wording("de")


async def test_the_history_is_append_only_with_versions_and_times(clara: Actor) -> None:
    assert [(s.topic.name, s.granted, s.changed_at) for s in await consents_of(clara)] == [
        (EMAIL_NOTIFICATIONS, False, None),
        (SERVICE_VISIT_INVITATIONS, False, None),
    ]
    granted = await grant_consent(clara, EMAIL_NOTIFICATIONS, "1")
    assert granted.granted and granted.wording_version == "1" and granted.changed_at
    await grant_consent(clara, EMAIL_NOTIFICATIONS, "1")  # unchanged: nothing recorded
    await withdraw_consent(clara, EMAIL_NOTIFICATIONS)
    await withdraw_consent(clara, SERVICE_VISIT_INVITATIONS)  # never given: nothing recorded
    await grant_consent(clara, EMAIL_NOTIFICATIONS, "1")

    history = await consent_history(clara.user_id)
    assert [(c.topic, c.granted, c.wording_version) for c in history] == [
        (EMAIL_NOTIFICATIONS, True, "1"),
        (EMAIL_NOTIFICATIONS, False, "1"),
        (EMAIL_NOTIFICATIONS, True, "1"),
    ]
    times = [c.created_at for c in history]
    assert times == sorted(times)
    assert await has_consent(clara.user_id, EMAIL_NOTIFICATIONS)
    assert not await has_consent(clara.user_id, SERVICE_VISIT_INVITATIONS)
    names = await OutboxEvent.filter(name__startswith="accounts:consent:").values_list(
        "name", flat=True
    )
    assert list(names) == [
        "accounts:consent:granted",
        "accounts:consent:withdrawn",
        "accounts:consent:granted",
    ]


async def test_an_outdated_wording_is_a_conflict_and_withdrawal_always_works(
    clara: Actor, reworded: Topic
) -> None:
    with pytest.raises(Conflict) as raised:
        await grant_consent(clara, EMAIL_NOTIFICATIONS, "1")
    assert raised.value.extra == {"current_version": "2"}
    with pytest.raises(InvalidInput) as unknown:
        await grant_consent(clara, EMAIL_NOTIFICATIONS, "7")
    assert [e.field for e in unknown.value.errors] == ["wording_version"]
    assert not await Consent.exists(user_id=clara.user_id)

    await grant_consent(clara, EMAIL_NOTIFICATIONS, "2")
    withdrawn = await withdraw_consent(clara, EMAIL_NOTIFICATIONS)
    assert not withdrawn.granted and withdrawn.wording_version == "2"


async def test_a_withdrawal_naming_a_wording_that_never_existed_is_refused(
    clara: Actor, reworded: Topic
) -> None:
    await grant_consent(clara, EMAIL_NOTIFICATIONS, "2")
    with pytest.raises(InvalidInput) as unknown:
        await withdraw_consent(clara, EMAIL_NOTIFICATIONS, "__not_in_enum__")
    assert [e.field for e in unknown.value.errors] == ["wording_version"]
    assert await has_consent(clara.user_id, EMAIL_NOTIFICATIONS)
    withdrawn = await withdraw_consent(clara, EMAIL_NOTIFICATIONS, "1")
    assert not withdrawn.granted


async def test_a_grant_to_an_earlier_wording_asks_for_renewal(
    clara: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    await grant_consent(clara, EMAIL_NOTIFICATIONS, "1")
    topic = consent.TOPICS[EMAIL_NOTIFICATIONS]
    monkeypatch.setitem(
        consent.TOPICS,
        EMAIL_NOTIFICATIONS,
        Topic(topic.name, topic.title, {**topic.wordings, "2": {"de": "Neu.", "en": "New."}}),
    )
    [state, _] = await consents_of(clara)
    assert state.granted and state.needs_renewal
    renewed = await grant_consent(clara, EMAIL_NOTIFICATIONS, "2")
    assert renewed.wording_version == "2" and not renewed.needs_renewal
    assert await Consent.filter(user_id=clara.user_id).count() == 2


async def test_several_choices_are_checked_before_any_is_written(clara: Actor) -> None:
    with pytest.raises(NotFound):
        await update_consents(clara, {EMAIL_NOTIFICATIONS: (True, "1"), "newsletter": (True, "1")})
    with pytest.raises(InvalidInput):
        await update_consents(
            clara, {EMAIL_NOTIFICATIONS: (True, "1"), SERVICE_VISIT_INVITATIONS: (True, None)}
        )
    assert not await Consent.exists(user_id=clara.user_id)
    with pytest.raises(NotAuthenticated):
        await consents_of(None)
