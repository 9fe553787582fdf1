"""Voting in real Chromium: the live budget meter, the receipt, and checking it in the
browser after the vote closes."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.browser.test_cosign_flow import sign_in
from tests.support import AUFTRAG, server_environment

pytestmark = pytest.mark.browser


def council_token(live_dir: Path) -> str:
    done = subprocess.run(
        [str(AUFTRAG), "token", "--email", "rat@demo.example", "--role", "council",
         "--municipality", "demo", "--verified"],
        cwd=live_dir,
        env=server_environment(PYTHONWARNINGS="ignore"),
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return done.stdout.strip()


OPTIONS = [
    {"title": "Spielplatz", "cost_cents": 60_000_00},
    {"title": "Radweg", "cost_cents": 50_000_00},
    {"title": "Bänke", "cost_cents": 10_000_00},
]


def open_vote(base: str, token: str, **settings: object) -> dict:
    now = datetime.now(UTC)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        created = client.post(
            "/api/v1/municipalities/demo/votes",
            json={
                "title": "Abstimmung im Browser",
                "opens_at": (now + timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(days=1)).isoformat(),
                "options": OPTIONS,
                **settings,
            },
        )
        assert created.status_code == 201, created.text
        vote = created.json()
        for step in ("scheduled", "open"):
            moved = client.post(f"/api/v1/votes/{vote['id']}/transitions", json={"to": step})
            assert moved.status_code == 200, moved.text
    return vote


def close_vote(base: str, token: str, vote_id: int) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        moved = client.post(
            f"/api/v1/votes/{vote_id}/transitions",
            json={"to": "closed", "reason": "Test im Browser."},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert moved.status_code == 200, moved.text


def test_vote_with_the_live_meter_and_check_the_receipt_in_the_browser(  # type: ignore[no-untyped-def]
    browser, live_server: str, live_dir: Path
) -> None:
    token = council_token(live_dir)
    vote = open_vote(live_server, token, rule="greedy", budget_cents=100_000_00)
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        sign_in(page, live_server, "clara.vote@example.org", "Clara Vote")
        page.goto(f"{live_server}/votes/{vote['id']}?lang=en")
        page.get_by_label("I live in Musterstadt").check()
        page.get_by_role("button", name="Confirm and vote").click()
        meter = page.locator("#meter")
        assert meter.get_attribute("aria-live") == "polite"
        page.get_by_label(re.compile("^Spielplatz")).check()
        page.get_by_label(re.compile("^Radweg")).check()
        meter.filter(has_text="Left: -€10,000.00").wait_for()
        assert "over" in (meter.get_attribute("class") or "")
        over = meter.locator(".over-budget")
        assert over.inner_text() == "€10,000.00 over budget: remove something to submit."
        page.get_by_label(re.compile("^Radweg")).uncheck()
        page.get_by_label(re.compile("^Bänke")).check()
        meter.filter(has_text="Left: €30,000.00").wait_for()
        page.get_by_role("button", name="Cast my ballot").click()
        code = page.locator("#receipt-code").inner_text()
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)

        close_vote(live_server, token, vote["id"])
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{live_server}/votes/{vote['id']}/receipts?lang=en")
        page.get_by_label("Receipt code").fill(code.lower())
        page.get_by_role("button", name="Check").click()
        page.locator("#receipt-result").filter(has_text="This ballot was counted.").wait_for()
        # The code itself never left the browser: only its fingerprint was asked for.
        assert not any(code.replace("-", "") in url.upper().replace("-", "") for url in requests)
        assert any("/receipts?digest=" in url for url in requests)
    finally:
        context.close()


def test_a_rank_given_twice_is_named_as_the_person_picks(  # type: ignore[no-untyped-def]
    browser, live_server: str, live_dir: Path
) -> None:
    vote = open_vote(live_server, council_token(live_dir), rule="irv")
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        sign_in(page, live_server, "rita.rank@example.org", "Rita Rank")
        page.goto(f"{live_server}/votes/{vote['id']}?lang=en")
        page.get_by_label("I live in Musterstadt").check()
        page.get_by_role("button", name="Confirm and vote").click()
        meter = page.locator("#meter")
        page.get_by_label("Spielplatz").select_option("1")
        meter.filter(has_text="Ranked: 1.").wait_for()
        page.get_by_label("Radweg").select_option("1")
        meter.filter(has_text="Rank 1 is given to more than one option.").wait_for()
        page.get_by_label("Radweg").select_option("2")
        meter.filter(has_text="Ranked: 2.").wait_for()
        page.get_by_role("button", name="Cast my ballot").click()
        page.locator("#receipt-code").wait_for()
    finally:
        context.close()
