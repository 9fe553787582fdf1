"""Following and unfollowing mandates, districts, topics and votes."""

from __future__ import annotations

import pytest

from notifications.follows import Subject, follow, follows_of, is_following, resolve, unfollow
from notifications.models import Follow, FollowSubject
from participation.accounts.privacy import delete_account, export_account
from participation.errors import InvalidInput, NotAuthenticated, NotFound
from participation.mandates.commands import sign_mandate
from participation.mandates.models import Status
from participation.municipalities.models import District
from participation.outbox.models import OutboxEvent
from participation.votes.models import VoteStatus
from tests import factories
from tests.factories.votes import vote

pytestmark = pytest.mark.usefixtures("database")


def _named(subject: Subject) -> tuple[FollowSubject, str, int]:
    return subject.type, subject.key, subject.municipality_id


async def test_following_twice_keeps_one_row_and_unfollowing_keeps_it_inactive() -> None:
    town = await factories.municipality()
    anna, ida = await factories.people(2)
    mandate = await factories.mandate(ida, town, topics=["Radwege"])
    subject = await follow(anna, "mandate", str(mandate.id))
    await follow(anna, "mandate", str(mandate.id))
    assert subject.title == mandate.title and subject.url == f"/mandates/{mandate.id}"
    assert await Follow.filter(user_id=anna.user_id).count() == 1
    assert await is_following(anna, *_named(subject))
    await unfollow(anna, "mandate", str(mandate.id))
    await unfollow(anna, "mandate", str(mandate.id))
    row = await Follow.get(user_id=anna.user_id)
    assert not row.active
    assert not await is_following(anna, *_named(subject))
    assert await OutboxEvent.filter(name="notifications:follow:started").count() == 1
    assert await OutboxEvent.filter(name="notifications:follow:ended").count() == 1


async def test_launching_and_signing_follow_without_a_row_until_she_unfollows() -> None:
    town = await factories.municipality()
    ida, anna = await factories.people(2)
    mandate = await factories.mandate(ida, town)
    await sign_mandate(anna, mandate.id)
    subject = await resolve(anna, "mandate", str(mandate.id))
    assert await is_following(ida, *_named(subject)) and await is_following(anna, *_named(subject))
    assert not await Follow.exists()
    listed = await follows_of(anna)
    assert [(f.subject.key, f.reason) for f in listed] == [(str(mandate.id), "signed")]
    assert [f.reason for f in await follows_of(ida)] == ["launched"]
    await unfollow(anna, "mandate", str(mandate.id))
    assert not await is_following(anna, *_named(subject))
    assert await follows_of(anna) == []
    assert await Follow.filter(user_id=anna.user_id, active=False).count() == 1


async def test_districts_votes_and_topics_are_followed_by_their_ids_and_names() -> None:
    town = await factories.municipality()
    anna, ida = await factories.people(2)
    council = await factories.council_member(town)
    await factories.mandate(ida, town, topics=["Radwege"])
    district = await District.filter(municipality_id=town.id).order_by("id").first()
    assert district is not None
    opened = await vote(council, town, VoteStatus.OPEN)
    await follow(anna, "district", str(district.id))
    await follow(anna, "vote", str(opened.id))
    topic = await follow(anna, "topic", " RADWEGE ", town.slug)
    assert (topic.key, topic.title, topic.url) == (
        "radwege",
        "#radwege",
        f"/m/{town.slug}?topic=radwege",
    )
    listed = await follows_of(anna)
    assert {(f.subject.type, f.subject.key) for f in listed} == {
        (FollowSubject.DISTRICT, str(district.id)),
        (FollowSubject.VOTE, str(opened.id)),
        (FollowSubject.TOPIC, "radwege"),
    }
    assert {f.reason for f in listed} == {"followed"}


async def test_what_does_not_exist_or_is_hidden_cannot_be_followed() -> None:
    town = await factories.municipality()
    anna, ida = await factories.people(2)
    draft = await factories.mandate(ida, town, Status.DRAFT, topics=["geheim"])
    for subject_type, subject_id in [
        ("mandate", "999999"),
        ("mandate", "zwölf"),
        ("mandate", str(draft.id)),
        ("vote", "1"),
        ("district", "999999"),
        ("petition", "1"),
    ]:
        with pytest.raises(NotFound):
            await follow(anna, subject_type, subject_id)
    with pytest.raises(NotFound):
        await follow(anna, "topic", "radwege", town.slug)
    with pytest.raises(NotFound):
        await follow(anna, "topic", "geheim", town.slug)
    with pytest.raises(NotFound):
        await follow(anna, "topic", "radwege", "nirgendwo")
    with pytest.raises(InvalidInput) as nameless:
        await follow(anna, "topic", "radwege")
    assert nameless.value.errors[0].field == "municipality"
    with pytest.raises(NotAuthenticated):
        await follow(None, "mandate", str(draft.id))
    assert not await Follow.exists()


async def test_follows_are_exported_and_erased_with_the_account() -> None:
    town = await factories.municipality()
    anna, ida = await factories.people(2)
    mandate = await factories.mandate(ida, town)
    await follow(anna, "mandate", str(mandate.id))
    exported = await export_account(anna)
    assert exported["notification_follows"] == [
        {
            "municipality": town.slug,
            "subject_type": "mandate",
            "subject": str(mandate.id),
            "following": True,
            "since": exported["notification_follows"][0]["since"],
        }
    ]
    email = (await export_account(anna))["profile"]["email"]
    await delete_account(anna, email)
    assert not await Follow.exists()
