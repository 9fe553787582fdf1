"""A discussion full of hostile Markdown in real Chromium against the real server.

Every entry of the hostile corpus that the renderer accepts is a comment in one mandate's
thread (rows written beside the running server, their HTML from `participation.text`).
The page is opened with a sentinel the payloads try to set, every link in the comments is
clicked with leaving the site blocked, and nothing may have run: no dialog, no page error,
no refused script or style, the sentinel untouched, the page still the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Request, Route, expect

from participation import db, text
from participation.accounts.models import User
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.errors import InvalidInput
from participation.mandates.models import Mandate
from tests.participation.hostile_markdown import CORPUS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SEED = (
    "import asyncio, sys; from pathlib import Path; "
    "from tests.browser.test_hostile_thread import _seed; "
    "print(asyncio.run(_seed(Path(sys.argv[1]))))"
)

# Top-level comments; the other entries are their replies, so all show on the first page.
ROOTS = 10

WATCH = """
window.__pwned = "untouched";
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


async def _seed(database: Path) -> int:
    """Writes the corpus into a demo mandate's thread; returns the mandate's id."""
    await db.init(f"sqlite://{database}")
    try:
        mandate = await Mandate.all().order_by("id").first()
        assert mandate is not None
        thread = await Thread.get(subject_type=SubjectType.MANDATE, subject_id=mandate.id)
        author = await User.all().order_by("id").first()
        assert author is not None
        roots: list[Comment] = []
        for entry in CORPUS:
            try:
                html = await text.render(entry.source, "body")
            except InvalidInput:
                continue  # refused text is never stored
            parent = roots[len(roots) % ROOTS] if len(roots) >= ROOTS else None
            comment = await Comment.create(
                thread_id=thread.id,
                parent_id=parent.id if parent else None,
                depth=1 if parent else 0,
                author_id=author.id,
                body=entry.source.replace("\x00", ""),
                body_html=html,
            )
            if parent is None:
                roots.append(comment)
        return mandate.id
    finally:
        await db.close()


def test_a_thread_of_hostile_markdown_runs_nothing(  # type: ignore[no-untyped-def]
    browser, live_server: str, live_dir: Path
) -> None:
    # In a process of its own: the ORM is process-wide, and binding it here to the live
    # server's SQLite file would leave this test process's models speaking SQLite to the
    # PostgreSQL database of every later test.
    done = subprocess.run(
        [sys.executable, "-c", SEED, str(live_dir / "var" / "auftrag.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seeded = [int(done.stdout.strip().splitlines()[-1])]
    context = browser.new_context(locale="de-DE")
    dialogs: list[str] = []
    errors: list[str] = []
    left: list[str] = []

    def stay(route: Route, request: Request) -> None:
        """Our own site loads; anything else is answered 204, so a click stays put."""
        if request.url.startswith(live_server):
            route.continue_()
        else:
            left.append(request.url)
            route.fulfill(status=204)

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    try:
        context.route("**/*", stay)
        context.add_init_script(WATCH)
        page = context.new_page()
        page.on("dialog", dismiss)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        url = f"{live_server}/mandates/{seeded[0]}"
        page.goto(url)
        discussion = page.locator("#discussion")
        expect(discussion).to_contain_text("<script>window.__pwned=1</script>")

        links = discussion.locator(".prose a")
        hrefs: list[Any] = links.evaluate_all("links => links.map(link => link.href)")
        assert hrefs, "the corpus has allowed links"
        assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs
        for n in range(len(hrefs)):
            links.nth(n).click()
        # A pointer over the text, where a smuggled onmouseover would fire.
        for element in discussion.locator(".prose > *").all()[:60]:
            element.hover()
        assert page.url == url
        assert page.evaluate("window.__pwned") == "untouched"
        assert page.evaluate("window.__violations") == []
        assert dialogs == [] and errors == []
        # Every accepted entry is on the page, and each click asked for its address and no
        # other: nothing was loaded unasked.
        rendered = sum(1 for entry in CORPUS if entry.refused is None)
        expect(discussion.locator(".comment")).to_have_count(rendered)
        external = {h for h in hrefs if not h.startswith("mailto:")}
        assert set(left) <= external and set(left), left
    finally:
        context.close()
