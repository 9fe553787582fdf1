"""The dashboard, the comparison and the definitions in real Chromium against the demo
server: no console errors (the inline SVG passes the Content Security Policy), no axe-core
violations at 1280 and 320 px, and nothing scrolls sideways at 320 px (WCAG 1.4.10).

Beside what the demo's own records give, summary cells are written straight into the
server's database, so the pages show a comparable figure, a greyed one and a service.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.browser.accessibility import Axe, report

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

WIDTHS = (1280, 320)


def _cells(live_dir: Path) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    with sqlite3.connect(live_dir / "var" / "auftrag.sqlite3") as db:
        (town,) = db.execute("SELECT id FROM municipality WHERE slug = 'demo'").fetchone()
        rows = [
            (0, "", "first_answer_days", 1, 10),
            (0, "", "first_answer_days", 3, 12),
            (0, "", "first_answer_days", 8, 9),
            (0, "", "promise_kept", 1, 3),
            (0, "", "promise_kept", 0, 1),
            (0, "test.ummeldung", "service_duration_days", 3, 14),
            (0, "test.ummeldung", "service_rating", 4, 8),
            (0, "test.ummeldung", "service_rating", 5, 4),
        ]
        db.executemany(
            "INSERT OR IGNORE INTO metric_cell"
            " (municipality_id, department_id, service_type, month, measure, value, count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(town, d, st, month, m, v, c) for d, st, m, v, c in rows],
        )


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_figure_pages_render_cleanly_at_both_widths(  # type: ignore[no-untyped-def]
    browser, axe: Axe, live_server: str, live_dir: Path
) -> None:
    _cells(live_dir)
    context = browser.new_context(locale="de-DE")
    failures: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for url in (
            "/m/demo/figures",
            "/m/demo/figures?period=last-12-months&lang=en",
            "/figures?figure=first_answer_days",
            "/figures?figure=service_duration_days&service_type=test.ummeldung",
            "/figures?figure=promise_kept_share&period=2099-01",
            "/figures/definitions",
        ):
            response = page.goto(live_server + url)
            assert response is not None and response.status in (200, 422), url
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                if found := axe.violations(page):
                    failures.append(report(f"{url} at {width}px", found))
                if width == 320 and (wide := _overflow(page)) > 320:
                    failures.append(f"{url} is {wide}px wide at 320px")
        page.goto(live_server + "/m/demo/figures?lang=en")
        first = page.locator("#figure-first_answer_days")
        assert "3 working days" in first.inner_text()
        assert page.locator("#figure-first_answer_days svg[role=img]").count() == 1
        kept = page.locator("#figure-promise_kept_share")
        assert "Too few cases to compare" in kept.inner_text()
        service = page.locator("#figure-service_duration_days-test\\.ummeldung")
        assert "3 days" in service.inner_text()
    finally:
        context.close()
    assert not failures, "\n".join(failures)
    # The refused period's page answers 422 on purpose, which Chromium logs as a failed load.
    errors = [e for e in errors if "status of 422" not in e]
    assert not errors, "console errors:\n" + "\n".join(errors)
