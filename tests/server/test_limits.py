"""Abuse limits as clients meet them: 429 with Retry-After, per account and per address."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from notifications.models import MailboxMessage
from participation.accounts.identity.sessions import BROWSER, start_session
from participation.actors import Actor
from participation.mandates.models import Mandate, Signature
from participation.municipalities.models import Municipality
from server.app import create_app
from server.auth import sign_in_cookies
from server.limits import COSIGN, DEFAULTS, Limiter, RateLimited, configure
from server.proxies import parse_networks
from server.settings import Settings
from tests import factories
from tests.conftest import REDIS_URL
from tests.factories import votes as vote_factories
from tests.support import assert_problem, eventually, make_settings

Auth = Callable[[Actor], dict[str, str]]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LAUNCH = {"title": "Mehr Bänke am See", "summary": "Zum Ausruhen.", "body": "Fünf Bänke."}
ELSEWHERE = "192.0.2.77"


@pytest.fixture
def rate_limits() -> str:
    """What RATE_LIMITS says; each test parametrizes it with the small limits it needs."""
    return ""


@pytest.fixture
def settings(database_url: str, tmp_path: Path, rate_limits: str) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "var",
        rate_limits=rate_limits,
        rate_limit_prefix=f"test-{uuid.uuid4().hex}",
        trusted_proxies=parse_networks("10.0.0.0/8"),
    )


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=100)


@pytest.fixture
async def mandates(town: Municipality) -> list[Mandate]:
    initiator = await factories.person()
    return [await factories.mandate(initiator, town) for _ in range(3)]


def _client(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def elsewhere(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client at another address than `client`'s."""
    async with _client(app, ELSEWHERE) as http:
        yield http


def _sign(client: httpx.AsyncClient, mandate: Mandate, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/mandates/{mandate.id}/signatures", headers=headers)


def assert_limited(response: httpx.Response) -> int:
    """A 429 problem whose Retry-After says in whole seconds when to try again."""
    assert_problem(response, 429)
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= 3600
    return retry_after


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    match = CSRF.search((await client.get(path)).text)
    assert match
    return match.group(1)


async def _in_browser(client: httpx.AsyncClient, settings: Settings, person: Actor) -> None:
    """Give `client` the cookies of a browser session of `person`."""
    started = await start_session(person.user_id, BROWSER, "tests", timedelta(hours=1))
    for cookie in sign_in_cookies(settings, started):
        name, _, value = cookie.decode().split(";", 1)[0].partition("=")
        client.cookies.set(name, value)


def assert_friendly_page(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert int(response.headers["retry-after"]) > 0
    assert "<main" in response.text and "<h1>" in response.text


# -- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rate_limits", ["cosign.account=2/hour"])
async def test_cosigning_is_limited_per_account(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, mandates: list[Mandate], auth: Auth
) -> None:
    eager, other = await factories.people(2)
    for mandate in mandates[:2]:
        assert (await _sign(client, mandate, auth(eager))).status_code == 201
    assert assert_limited(await _sign(client, mandates[2], auth(eager))) > 3500
    # Another address does not help the same account, and nothing was signed.
    assert_limited(await _sign(elsewhere, mandates[2], auth(eager)))
    assert not await Signature.filter(mandate_id=mandates[2].id, user_id=eager.user_id).exists()
    # Someone else at the same address still signs.
    assert (await _sign(client, mandates[2], auth(other))).status_code == 201


@pytest.mark.parametrize("rate_limits", ["ballot.account=2/hour"])
async def test_replacing_one_s_ballot_over_and_over_is_limited(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    council = await factories.council_member(town)
    voter = await factories.person()
    vote = await vote_factories.vote(council, town)
    first = (await vote_factories.option_ids(vote.id))[0]
    url = f"/api/v1/votes/{vote.id}/ballots"
    for _ in range(2):
        cast = await client.post(url, json={"choices": [first]}, headers=auth(voter))
        assert cast.status_code in (200, 201)
    assert_limited(await client.post(url, json={"choices": [first]}, headers=auth(voter)))


@pytest.mark.parametrize("rate_limits", ["cosign.ip=3/hour, cosign.account=off"])
async def test_cosigning_is_limited_per_address(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, mandates: list[Mandate], auth: Auth
) -> None:
    people = await factories.people(5)
    for person in people[:3]:
        assert (await _sign(client, mandates[0], auth(person))).status_code == 201
    assert_limited(await _sign(client, mandates[0], auth(people[3])))
    for person in people[3:]:
        assert (await _sign(elsewhere, mandates[0], auth(person))).status_code == 201


@pytest.mark.parametrize("rate_limits", ["cosign.ip=2/hour"])
async def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(
    app: Starlette, mandates: list[Mandate], auth: Auth
) -> None:
    people = await factories.people(4)
    async with _client(app, "10.1.2.3") as proxy:
        for person in people[:2]:
            headers = {"X-Forwarded-For": "198.51.100.1, 10.9.9.9", **auth(person)}
            assert (await _sign(proxy, mandates[0], headers)).status_code == 201
        headers = {"X-Forwarded-For": "198.51.100.1", **auth(people[2])}
        assert_limited(await _sign(proxy, mandates[0], headers))
        headers = {"X-Forwarded-For": "198.51.100.2", **auth(people[2])}
        assert (await _sign(proxy, mandates[0], headers)).status_code == 201


@pytest.mark.parametrize("rate_limits", ["cosign.ip=2/hour"])
async def test_others_cannot_choose_their_address_by_header(
    elsewhere: httpx.AsyncClient, mandates: list[Mandate], auth: Auth
) -> None:
    for n, person in enumerate(await factories.people(3)):
        headers = {"X-Forwarded-For": f"203.0.113.{n}", **auth(person)}
        response = await _sign(elsewhere, mandates[0], headers)
    assert_limited(response)


@pytest.mark.parametrize("rate_limits", ["launch.account=1/hour, launch.ip=2/hour"])
async def test_launching_is_limited_per_account_and_per_address(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    first, second, third, fourth = await factories.people(4)
    url = "/api/v1/municipalities/musterdorf/mandates"
    assert (await client.post(url, json=LAUNCH, headers=auth(first))).status_code == 201
    assert_limited(await client.post(url, json=LAUNCH, headers=auth(first)))
    # One person's refused attempt does not use up what the address shares.
    assert (await client.post(url, json=LAUNCH, headers=auth(second))).status_code == 201
    assert_limited(await client.post(url, json=LAUNCH, headers=auth(third)))
    assert (await elsewhere.post(url, json=LAUNCH, headers=auth(fourth))).status_code == 201
    assert await Mandate.filter(initiator_id=first.user_id).count() == 1


# -- pages -----------------------------------------------------------------------------------


async def _request_link(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await _csrf(client, "/sign-in")
    return await client.post("/sign-in", data={"csrf_token": token, "email": email, "next": "/"})


@pytest.mark.parametrize("rate_limits", ["sign_in_link.email=2/hour"])
async def test_sign_in_links_to_one_address_are_limited(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, town: Municipality
) -> None:
    for _ in range(2):
        assert (await _request_link(client, "ada@example.org")).status_code == 200
    assert_friendly_page(await _request_link(elsewhere, " ADA@example.org"))
    assert (await _request_link(client, "ben@example.org")).status_code == 200

    async def sent() -> bool:
        ada = await MailboxMessage.filter(to="ada@example.org").count()
        return ada == 2 and await MailboxMessage.filter(to="ben@example.org").exists()

    await eventually(sent)


@pytest.mark.parametrize("rate_limits", ["sign_in_link.ip=2/hour"])
async def test_sign_in_links_from_one_address_are_limited(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, town: Municipality
) -> None:
    assert (await _request_link(client, "ada@example.org")).status_code == 200
    assert (await _request_link(client, "ben@example.org")).status_code == 200
    assert_friendly_page(await _request_link(client, "cem@example.org"))
    assert (await _request_link(elsewhere, "cem@example.org")).status_code == 200


@pytest.mark.parametrize("rate_limits", ["cosign.account=1/hour"])
async def test_the_cosign_form_answers_with_a_friendly_page(
    client: httpx.AsyncClient, settings: Settings, mandates: list[Mandate]
) -> None:
    await _in_browser(client, settings, await factories.person())
    for mandate, expected in zip(mandates, (303, 429), strict=False):
        url = f"/mandates/{mandate.id}"
        response = await client.post(f"{url}/sign", data={"csrf_token": await _csrf(client, url)})
        assert response.status_code == expected, response.text
    assert_friendly_page(response)
    url = f"/mandates/{mandates[1].id}"
    english = await client.post(
        f"{url}/sign?lang=en", data={"csrf_token": await _csrf(client, url)}
    )
    assert "Please wait a moment" in english.text


@pytest.mark.parametrize("rate_limits", ["launch.account=1/hour"])
async def test_the_launch_form_answers_with_a_friendly_page(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    await _in_browser(client, settings, await factories.person())
    for expected in (303, 429):
        token = await _csrf(client, "/m/musterdorf/launch")
        response = await client.post("/m/musterdorf/launch", data={"csrf_token": token, **LAUNCH})
        assert response.status_code == expected, response.text
    assert_friendly_page(response)
    assert await Mandate.all().count() == 1


@pytest.mark.parametrize("rate_limits", ["passkey.ip=2/hour, sign_in.ip=1/hour"])
async def test_passkey_ceremonies_and_sign_in_attempts_are_limited(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    headers = {"X-CSRF-Token": await _csrf(client, "/sign-in"), "Accept": "application/json"}
    for _ in range(2):
        options = await client.post("/passkeys/sign-in/options", json={}, headers=headers)
        assert options.status_code == 200, options.text
    refused = await client.post("/passkeys/sign-in/options", json={}, headers=headers)
    assert assert_limited(refused) > 3500
    assert refused.json()["retry_after"] == int(refused.headers["retry-after"])
    await _in_browser(elsewhere, settings, await factories.person())
    headers = {"X-CSRF-Token": await _csrf(elsewhere, "/sign-in"), "Accept": "application/json"}
    assert (await elsewhere.post("/passkeys/register/options", json={}, headers=headers)).is_success
    # A made-up assertion is refused as such, and the next attempt is refused unheard.
    attempt = {"credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key"}}
    assert_problem(await elsewhere.post("/passkeys/sign-in", json=attempt, headers=headers), 422)
    assert_limited(await elsewhere.post("/passkeys/sign-in", json=attempt, headers=headers))


# -- where the counts live -------------------------------------------------------------------


async def _two_apps(stack: AsyncExitStack, settings: Settings) -> list[httpx.AsyncClient]:
    """Two instances of the app, as two web processes would run it."""
    clients = []
    for _ in range(2):
        app = create_app(settings)
        await stack.enter_async_context(app.router.lifespan_context(app))
        clients.append(await stack.enter_async_context(_client(app, ELSEWHERE)))
    return clients


async def test_without_redis_each_process_counts_alone() -> None:
    """Two web processes without Redis: each keeps its own counts in memory."""
    one = Limiter.open(configure("cosign.account=2/hour"), None, "test")
    two = Limiter.open(configure("cosign.account=2/hour"), None, "test")
    try:
        for _ in range(2):
            await one.hit(COSIGN, "192.0.2.1", 1)
        with pytest.raises(RateLimited):
            await one.hit(COSIGN, "192.0.2.1", 1)
        await two.hit(COSIGN, "192.0.2.1", 1)
    finally:
        await one.close()
        await two.close()


@pytest.mark.redis
@pytest.mark.parametrize("rate_limits", ["cosign.account=2/hour"])
async def test_with_redis_all_processes_count_together(
    settings: Settings, mandates: list[Mandate], auth: Auth
) -> None:
    signer, other = await factories.people(2)
    shared = replace(settings, redis_url=REDIS_URL)
    async with AsyncExitStack() as stack:
        one, two = await _two_apps(stack, shared)
        assert (await _sign(one, mandates[0], auth(signer))).status_code == 201
        assert (await _sign(two, mandates[1], auth(signer))).status_code == 201
        assert_limited(await _sign(one, mandates[2], auth(signer)))
        assert_limited(await _sign(two, mandates[2], auth(signer)))
        assert (await _sign(two, mandates[2], auth(other))).status_code == 201


async def test_an_unreachable_redis_lets_people_act() -> None:
    limiter = Limiter.open(configure("cosign.account=1/hour"), "redis://127.0.0.1:9/0", "test")
    try:
        for _ in range(3):
            await limiter.hit(COSIGN, "192.0.2.1", 1)
    finally:
        await limiter.close()


async def test_limits_count_in_memory_without_redis() -> None:
    limiter = Limiter.open(configure("cosign.account=1/minute"), None, "test")
    await limiter.hit(COSIGN, "192.0.2.1", 1)
    with pytest.raises(RateLimited) as refused:
        await limiter.hit(COSIGN, "192.0.2.1", 1)
    assert 55 <= refused.value.retry_after <= 60
    await limiter.close()


# -- configuration ---------------------------------------------------------------------------


def test_rate_limits_configuration() -> None:
    assert configure("") == DEFAULTS
    assert configure("off") == {}
    changed = configure("cosign.ip=1000/minute, sign_in_link.email=off")
    assert changed[COSIGN].ip is not None and changed[COSIGN].ip.amount == 1000
    assert changed["sign_in_link"].subject is None
    assert changed["launch"] == DEFAULTS["launch"]
    wrong_entries = (
        "cosign=5/minute",
        "cosign.email=5/minute",
        "sign_in.account=5/minute",
        "votes.ip=1/hour",
        "cosign.ip=lots",
    )
    for wrong in wrong_entries:
        with pytest.raises(ValueError, match="RATE_LIMITS"):
            configure(wrong)


def test_bad_rate_limits_stop_the_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUFTRAG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RATE_LIMITS", "cosign.ip=often")
    with pytest.raises(ValueError, match="RATE_LIMITS entry 'cosign.ip=often'"):
        Settings.from_env()
