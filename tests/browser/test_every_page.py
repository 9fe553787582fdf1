"""Every page type passes axe-core (WCAG 2.1 A and AA) at 1280 and at 320 pixels wide, and
none scrolls sideways at 320 (WCAG 1.4.10, reflow).

The app runs in this process, in a thread of its own with its own event loop, on the
demo: on SQLite a copy of the one `demo_var` seeded for every browser module, on
PostgreSQL the test database seeded in that loop before the app starts, as `auftrag serve
--demo` seeds (the same commands a user triggers). People are signed in by giving the
browser a session's cookies. One browser context and one page visit everything.
PAGE_TYPES is the one list of what is visited: add a page type there.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

from participation import db
from participation.accounts.identity import sessions
from participation.accounts.models import User
from participation.costs.models import CostAnalysis
from participation.deliberation.models import SubjectType, Thread
from participation.mandates.models import Mandate
from participation.plans.models import Measure
from participation.votes.models import Vote
from server import demo
from server.app import create_app
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import conftest
from tests.browser.accessibility import Axe, report
from tests.support import free_port, make_settings

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

WIDTHS = (1280, 320)

# Who looks at a page: signed out, or one of the demo's people.
VISITOR = None
CITIZEN = "buerger1@demo.example"  # lives in the Nordviertel, where the budget vote is open
INITIATOR = "anna@demo.example"
COUNCIL = "rat@demo.example"
MODERATOR = "moderation@demo.example"
ADMIN = "admin@demo.example"


@dataclass(frozen=True)
class PageType:
    """A kind of page: where to find one in the demo (from its `ids`), as whom, and what
    to do there first (fill and send a form, say)."""

    name: str
    path: str
    who: str | None = VISITOR
    status: int = 200
    then: Callable[[Any], None] | None = None


def _send_sign_in(page: Any) -> None:
    page.locator("input[type=email]").first.fill("neu@example.org")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("load")


def _press_a_refused_button(page: Any) -> None:
    """A stale lock button, as a page open since another moderator pressed it: the page it
    is on comes back with the refusal in its summary (server/notice.py)."""
    form = page.locator("form.thread-lock")
    form.evaluate(
        "f => f.action = /\\/lock$/.test(f.action)"
        " ? f.action.replace(/lock$/, 'unlock') : f.action.replace(/unlock$/, 'lock')"
    )
    form.locator("input[name=reason]").fill("Schon erledigt")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#refused-summary").count() == 1, page.url


PAGE_TYPES = [
    PageType("landing", "/"),
    PageType("municipality", "/m/demo"),
    PageType("mandate, signed out", "/mandates/{fountains}"),
    PageType("mandate, signed in", "/mandates/{fountains}", CITIZEN),
    PageType("launch form", "/m/demo/launch", CITIZEN),
    PageType("vote list", "/m/demo/votes"),
    PageType("vote", "/votes/{budget_vote}"),
    PageType("ballot", "/votes/{budget_vote}/ballot", CITIZEN),
    PageType("vote result", "/votes/{ranked_vote}/result"),
    PageType("receipts", "/votes/{ranked_vote}/receipts"),
    PageType("sign-in", "/sign-in"),
    PageType("sign-in sent", "/sign-in", then=_send_sign_in),
    PageType("account", "/account", CITIZEN),
    PageType("security", "/account/security", CITIZEN),
    PageType("notifications", "/me/notifications", CITIZEN),
    PageType("notification settings", "/me/notifications/settings", CITIZEN),
    PageType("my mandates", "/me/mandates", INITIATOR),
    PageType("council queue", "/m/demo/council", COUNCIL),
    PageType("administration", "/m/demo/admin", ADMIN),
    PageType("municipality settings", "/m/demo/admin/settings", ADMIN),
    PageType("people and roles", "/m/demo/admin/people", ADMIN),
    PageType("appearance and legal texts", "/m/demo/admin/appearance", ADMIN),
    PageType("Impressum", "/m/demo/impressum"),
    PageType("data protection contact", "/m/demo/privacy-contact"),
    PageType("accessibility statement", "/m/demo/accessibility"),
    PageType("moderation queue", "/m/demo/moderation", MODERATOR),
    PageType("moderation log", "/m/demo/moderation-log", MODERATOR),
    PageType("open data", "/m/demo/open-data"),
    PageType("open-data dictionary", "/open-data/dictionary"),
    PageType("discussion", "/threads/{thread}"),
    PageType("a refused button", "/threads/{thread}", MODERATOR, then=_press_a_refused_button),
    PageType("cost analysis", "/mandates/{fountains}/costs/{cost_analysis}"),
    PageType("mandate with its plan, as the council", "/mandates/{fountains}", COUNCIL),
    PageType("measure", "/measures/{measure}"),
    PageType("service-visit admin", "/m/demo/service-visits/settings", ADMIN),
    PageType("dead letters", "/m/demo/admin/jobs", ADMIN),
    PageType("privacy", "/privacy"),
    PageType("figures of a municipality", "/m/demo/figures"),
    PageType("figures compared", "/figures"),
    PageType("definitions of the figures", "/figures/definitions"),
    PageType("error page (404)", "/mandates/999999", status=404),
]


class Site:
    """The app served by uvicorn in a thread; with `seed_first` the demo is seeded in the
    same event loop before the app starts."""

    def __init__(self, settings: Settings, seed_first: bool = False) -> None:
        self.seed_first = seed_first
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # The browser's forms post from here: without it every POST is refused as cross-site.
        self.settings = replace(settings, origins=(*settings.origins, self.base))
        self.ids: dict[str, int] = {}
        self.cookies: dict[str, list[dict[str, Any]]] = {}
        self._server: Any = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="every-page-site", daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 120
        while not (self._server is not None and self._server.started):
            if self._failure is not None:
                raise self._failure
            assert time.monotonic() < deadline, "the site did not start within two minutes"
            time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # handed to the test thread by start()
            self._failure = exc

    async def _main(self) -> None:
        import uvicorn

        if self.seed_first:
            # Before the lifespan, as `auftrag serve --demo` does: with the outbox consumers
            # running, each of the seed's commits wakes them to compete for the database,
            # and the seed took 24 s instead of 14 s (101 s on a loaded CI machine).
            await conftest._empty(self.settings.database_url)
            await db.init(self.settings.database_url)
            try:
                assert await demo.seed()
            finally:
                await db.close()
        app = create_app(self.settings)
        try:
            async with app.router.lifespan_context(app):
                await self._sign_in()
                config = uvicorn.Config(
                    app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning"
                )
                self._server = uvicorn.Server(config)
                await self._server.serve()
        finally:
            await db.close()

    async def _sign_in(self) -> None:
        """Note the demo's ids the pages need and start a session for everyone who visits."""
        fountains = await Mandate.get(title=demo.FOUNTAINS)
        thread = await Thread.get(subject_type=SubjectType.MANDATE, subject_id=fountains.id)
        analysis = await CostAnalysis.filter(mandate_id=fountains.id).first()
        measure = await Measure.filter(mandate_id=fountains.id).first()
        assert analysis is not None and measure is not None
        self.ids = {
            "fountains": fountains.id,
            "thread": thread.id,
            "cost_analysis": analysis.id,
            "measure": measure.id,
            "budget_vote": (await Vote.get(title="Bürgerhaushalt Nordviertel 2027")).id,
            "ranked_vote": (await Vote.get(title="Welche Maßnahme zuerst?")).id,
        }
        for email in {p.who for p in PAGE_TYPES if p.who is not None}:
            user = await User.get(email=email)
            started = await sessions.start_session(
                user.id, sessions.BROWSER, "tests", timedelta(hours=1)
            )
            self.cookies[email] = [
                {"name": name, "value": morsel.value, "url": self.base}
                for header in sign_in_cookies(self.settings, started)
                for name, morsel in SimpleCookie(header.decode()).items()
            ]


@pytest.fixture(scope="module")
def site(
    template_database: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The demo in a database of the module's own: on SQLite a copy of the seeded one every
    browser module starts from, on PostgreSQL the emptied test database seeded again."""
    for cache in (
        conftest.mandate_commands._homes,
        conftest.municipality_queries._places,
        conftest.council_queue._names,
    ):
        cache.clear()
    here = tmp_path_factory.mktemp("every-page")
    if conftest.USE_POSTGRES:
        url = template_database  # emptied and seeded in the site's own loop
    else:
        demo_var: Path = request.getfixturevalue("demo_var")
        shutil.copyfile(demo_var / "auftrag.sqlite3", here / "auftrag.sqlite3")
        url = f"sqlite://{here / 'auftrag.sqlite3'}"
    served = Site(make_settings(url, here / "var"), seed_first=conftest.USE_POSTGRES)
    served.start()
    try:
        yield served
    finally:
        served.stop()


def _overflow(page: Any) -> str | None:
    """What sticks out sideways at 320 pixels, if anything does."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= 320:
        return None
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > 321 || e.scrollWidth > 321)
             .slice(0, 5)
             .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))"""
    )
    return f"scrollWidth {width} > 320; wide: {', '.join(wide)}"


def test_every_page_type_passes_axe_and_reflows_at_320(  # type: ignore[no-untyped-def]
    browser, axe: Axe, site: Site
) -> None:
    context = browser.new_context(locale="de-DE")
    failures: list[str] = []
    try:
        page = context.new_page()
        who: object = "nobody yet"
        for kind in sorted(PAGE_TYPES, key=lambda p: p.who or ""):
            if kind.who != who:
                context.clear_cookies()
                if kind.who is not None:
                    context.add_cookies(site.cookies[kind.who])
                who = kind.who
            url = site.base + kind.path.format(**site.ids)
            page.set_viewport_size({"width": WIDTHS[0], "height": 800})
            response = page.goto(url)
            assert response is not None and response.status == kind.status, (
                f"{kind.name}: {url} answered {response and response.status}"
            )
            if kind.then is not None:
                kind.then(page)
            page.wait_for_load_state("load")
            # axe checks only what is shown: open every disclosure first.
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            for width in WIDTHS:
                # The same page made narrow: its media queries apply as on a phone.
                page.set_viewport_size({"width": width, "height": 800})
                label = f"{kind.name} at {width}px ({page.url})"
                if violations := axe.violations(page):
                    failures.append(report(label, violations))
                if width == 320 and (wide := _overflow(page)):
                    failures.append(f"{label}: {wide}")
    finally:
        context.close()
    assert not failures, "\n".join(failures)
