"""Rendering Markdown in worker processes: the same HTML, bounded in time for any input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participation import text
from participation.errors import InvalidInput

LENGTH = 20_000  # the longest mandate body

# What Markdown parsers spend their time on: brackets, emphasis and code markers, block
# starts, entities, autolinks and line ends.
MARKUP = "[]()!*_`<>&#;\\-+.:|~=\"' \na1"

# Whatever happens in a worker, an answer comes within the limit plus the time to notice
# and to start a worker in its place on a busy machine.
ANSWER_SECONDS = text.RENDER_SECONDS + 3


async def _timed(source: str) -> tuple[float, str | None]:
    started = time.monotonic()
    try:
        html: str | None = await text.render(source, "body")
    except InvalidInput as exc:
        assert [e.field for e in exc.errors] == ["body"]
        html = None
    return time.monotonic() - started, html


async def test_markdown_renders_in_a_worker_as_it_does_here() -> None:
    source = "## Warum\n\nEs wird *jeden* Sommer [heißer](https://example.org).\n\n- a\n- b\n"
    html = await text.render(source, "body")
    assert html == text.render_markdown(source)
    assert "<h2>Warum</h2>" in html and '<a href="https://example.org">heißer</a>' in html
    assert await text.render("", "body") == ""


async def test_unsafe_markup_stays_escaped() -> None:
    html = await text.render("<script>alert(1)</script> [x](javascript:alert(1))", "body")
    assert "<script>" not in html and "href=" not in html


async def test_unclosed_image_openers_are_refused_quickly() -> None:
    await text.render("warm", "body")
    seconds, html = await _timed("![" * (LENGTH // 2))
    assert html is None and seconds < text.RENDER_SECONDS
    with pytest.raises(InvalidInput) as raised:
        await text.render("[" * LENGTH, "description")
    assert raised.value.errors[0].field == "description"
    assert raised.value.errors[0].message == text.TOO_MANY_BRACKETS


def test_closed_and_escaped_brackets_do_not_count() -> None:
    assert text.unclosed_brackets("[a](b) [c] \\[ \\] `x`") == 0
    assert text.unclosed_brackets("[a\n\n[b]") == 1
    assert text.unclosed_brackets("\\[" * 5000) == 0
    assert text.unclosed_brackets("![" * 100) == 100


async def test_a_render_past_its_time_limit_is_ended_and_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await text.render("warm", "body")
    monkeypatch.setattr(text, "RENDER_SECONDS", 0.01)
    started = time.monotonic()
    with pytest.raises(InvalidInput) as raised:
        await text.render("#\n" * (LENGTH // 2), "body")
    assert raised.value.errors[0].message == text.TOO_COMPLEX
    assert time.monotonic() - started < ANSWER_SECONDS
    monkeypatch.undo()
    assert await text.render("*wieder da*", "body") == "<p><em>wieder da</em></p>\n"


@st.composite
def worst_cases(draw: st.DrawFn) -> str:
    """A short run of markup repeated to the full length, the shape pathological input has,
    sometimes followed by another."""
    first = draw(st.text(MARKUP, min_size=1, max_size=4))
    second = draw(st.text(MARKUP, max_size=3))
    body = first * (LENGTH // (2 * len(first)))
    return (body + second * (LENGTH // (2 * max(len(second), 1))))[:LENGTH]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=worst_cases())
async def test_any_input_is_rendered_or_refused_within_the_limit(source: str) -> None:
    seconds, _ = await _timed(source)
    assert seconds < ANSWER_SECONDS


async def test_direction_controls_and_stray_controls_are_inert_in_html() -> None:
    source = "Sicher\u202e gpj.exe\u202c und \u2067isoliert\u2069\n\n\tcode\x1b\n\nrechts\u200f"
    html = await text.render(source, "body")
    for character in "\u202e\u202c\u2067\u2069\x1b":
        assert character not in html
    assert "<pre><code>code\n</code></pre>" in html
    assert "rechts\u200f" in html
