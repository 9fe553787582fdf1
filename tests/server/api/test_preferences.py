"""Notification preferences and follows through the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from notifications.kinds import Kind
from participation.actors import Actor
from participation.municipalities.models import District, Municipality
from tests import factories
from tests.factories import notifications
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]
PREFERENCES = "/api/v1/me/notification-preferences"


@pytest.fixture
def kinds() -> Iterator[tuple[Kind, ...]]:
    with notifications.registered() as declared:
        yield declared


def _kind(body: dict[str, Any], event: str) -> dict[str, Any]:
    found = [k for k in body["kinds"] if k["event"] == event]
    assert len(found) == 1
    return dict(found[0])


async def test_preferences_show_defaults_and_change_all_or_nothing(
    client: httpx.AsyncClient, auth: Auth, citizen: Actor, kinds: tuple[Kind, ...]
) -> None:
    shown = await client.get(PREFERENCES, headers=auth(citizen))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert _kind(body, notifications.DIGESTED) == {
        "event": notifications.DIGESTED,
        "category": "votes",
        "optional": True,
        "inbox": "immediate",
        "email": "weekly",
        "inbox_default": "immediate",
        "email_default": "weekly",
    }
    assert _kind(body, notifications.HIDDEN)["optional"] is False
    assert body["quiet_hours"] == {"enabled": True, "quiet_from": 22, "quiet_until": 7}
    assert body["language"] == "de"
    assert body["email_consent"]["granted"] is False

    changed = await client.put(
        PREFERENCES,
        json={
            "kinds": [{"event": notifications.QUORUM, "inbox": "off", "email": "daily"}],
            "quiet_hours": {"quiet_from": 21},
            "language": "en",
        },
        headers=auth(citizen),
    )
    assert changed.status_code == 200, changed.text
    assert _kind(changed.json(), notifications.QUORUM)["email"] == "daily"
    assert changed.json()["quiet_hours"]["quiet_from"] == 21
    assert (await client.get(PREFERENCES, headers=auth(citizen))).json() == changed.json()

    for bad, fields in [
        ({"kinds": [{"event": "tests:no:such"}]}, {"kinds.0.event"}),
        ({"kinds": [{"event": notifications.QUORUM, "inbox": "daily"}]}, {"kinds.0.inbox"}),
        ({"kinds": [{"event": notifications.HIDDEN, "inbox": "off"}]}, {"kinds.0.inbox"}),
        ({"quiet_hours": {"quiet_from": 7, "quiet_until": 7}}, {"quiet_hours.quiet_until"}),
        ({"quiet_hours": {"quiet_from": 24}}, {"quiet_hours.quiet_from"}),
        ({"language": "fr"}, {"language"}),
        ({"colour": "blue"}, {"colour"}),
    ]:
        assert_problem(await client.put(PREFERENCES, json=bad, headers=auth(citizen)), 422, fields)
    assert (await client.get(PREFERENCES, headers=auth(citizen))).json() == changed.json()
    assert_problem(await client.get(PREFERENCES), 401)
    assert_problem(await client.put(PREFERENCES, json={}), 401)


async def test_following_is_idempotent_listed_and_undone(
    client: httpx.AsyncClient, auth: Auth, town: Municipality, citizen: Actor
) -> None:
    other = await factories.person()
    mandate = await factories.mandate(other, town, topics=["Radwege"])
    district = await District.filter(municipality_id=town.id).order_by("id").first()
    assert district is not None
    path = f"/api/v1/follows/mandate/{mandate.id}"
    for _ in range(2):
        assert (await client.put(path, headers=auth(citizen))).status_code == 204
    topic = f"/api/v1/follows/topic/radwege?municipality={town.slug}"
    assert (await client.put(topic, headers=auth(citizen))).status_code == 204
    assert (
        await client.put(f"/api/v1/follows/district/{district.id}", headers=auth(citizen))
    ).status_code == 204

    listed = await client.get("/api/v1/me/follows?limit=2", headers=auth(citizen))
    assert listed.status_code == 200, listed.text
    first = listed.json()
    assert first["next"] == "2"
    rest = (await client.get("/api/v1/me/follows?cursor=2", headers=auth(citizen))).json()
    items = first["items"] + rest["items"]
    assert rest["next"] is None
    assert {(i["subject_type"], i["subject_id"]) for i in items} == {
        ("mandate", str(mandate.id)),
        ("topic", "radwege"),
        ("district", str(district.id)),
    }
    followed = next(i for i in items if i["subject_type"] == "mandate")
    assert followed["title"] == mandate.title
    assert followed["url"] == f"/mandates/{mandate.id}"
    assert followed["municipality"] == town.slug
    assert followed["reason"] == "followed"

    for _ in range(2):
        assert (await client.delete(path, headers=auth(citizen))).status_code == 204
    after = (await client.get("/api/v1/me/follows", headers=auth(citizen))).json()
    assert ("mandate", str(mandate.id)) not in {
        (i["subject_type"], i["subject_id"]) for i in after["items"]
    }


async def test_following_what_does_not_exist_is_a_problem(
    client: httpx.AsyncClient, auth: Auth, town: Municipality, citizen: Actor
) -> None:
    for path in [
        "/api/v1/follows/mandate/999999",
        "/api/v1/follows/mandate/abc",
        "/api/v1/follows/vote/999999",
        "/api/v1/follows/district/999999",
        f"/api/v1/follows/topic/nothing?municipality={town.slug}",
        "/api/v1/follows/topic/radwege?municipality=nowhere",
    ]:
        assert_problem(await client.put(path, headers=auth(citizen)), 404)
        assert_problem(await client.delete(path, headers=auth(citizen)), 404)
    assert_problem(
        await client.put("/api/v1/follows/topic/radwege", headers=auth(citizen)),
        422,
        {"municipality"},
    )
    assert_problem(
        await client.put("/api/v1/follows/petition/1", headers=auth(citizen)), 422, {"subject_type"}
    )
    assert_problem(await client.put("/api/v1/follows/mandate/1"), 401)
    assert_problem(await client.get("/api/v1/me/follows"), 401)
