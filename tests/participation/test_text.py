"""Rendering Markdown: which links, images and cells it writes, the same HTML in worker
processes, bounded in time and size for any input (the hostile corpus is in
test_hostile_markdown.py)."""

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
    assert "<h2>Warum</h2>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">heißer</a>' in html
    assert await text.render("", "body") == ""


def _link(href: str, label: str) -> str:
    return f'<a href="{href}" rel="nofollow ugc noopener">{label}</a>'


def test_every_link_is_marked_as_the_users_and_opens_in_place() -> None:
    html = text.render_markdown(
        "[inline](https://a.example) <https://b.example> [ref]\n\n[ref]: http://c.example"
    )
    assert _link("https://a.example", "inline") in html
    assert _link("https://b.example", "https://b.example") in html
    assert _link("http://c.example", "ref") in html
    assert "target" not in html


def test_bare_urls_www_addresses_and_e_mail_addresses_become_links() -> None:
    html = text.render_markdown(
        "Siehe https://rat.example/beschluss?id=4, www.stadt.example und post@musterstadt.de."
    )
    assert _link("https://rat.example/beschluss?id=4", "https://rat.example/beschluss?id=4") in html
    assert _link("http://www.stadt.example", "www.stadt.example") in html
    assert _link("mailto:post@musterstadt.de", "post@musterstadt.de") in html


def test_file_names_and_other_schemes_are_not_linked() -> None:
    html = text.render_markdown("README.md, bericht.pdf, ftp://x.example und //y.example")
    assert "<a" not in html


def test_links_go_only_to_http_https_and_mailto() -> None:
    source = "[a](/account) [b](#top) [c](//x.example) [d](ftp://x.example) [e](tel:110)"
    assert text.render_markdown(source) == f"<p>{source}</p>\n"
    assert _link("mailto:rat@stadt.example", "Rat") in text.render_markdown(
        "[Rat](mailto:rat@stadt.example)"
    )


def test_an_image_becomes_a_link_to_it_or_its_description() -> None:
    html = text.render_markdown("![Plan *neu*](https://a.example/plan.png)")
    assert html == f"<p>{_link('https://a.example/plan.png', 'Plan neu')}</p>\n"
    unlabelled = text.render_markdown("![](https://a.example/plan.png)")
    assert _link("https://a.example/plan.png", "https://a.example/plan.png") in unlabelled
    inside = text.render_markdown("[![Plan](https://a.example/p.png)](https://b.example)")
    assert inside == f"<p>{_link('https://b.example', 'Plan')}</p>\n"
    assert "<img" not in text.render_markdown("![x](data:image/png;base64,iVBORw0KGgo=)")


def test_table_cells_carry_no_style() -> None:
    html = text.render_markdown("|a|b|\n|:-|-:|\n|1|2|")
    assert "<th>a</th>" in html and "<td>2</td>" in html and "style" not in html


async def test_text_whose_html_would_be_far_larger_is_refused() -> None:
    header = "|" + "|".join("h" for _ in range(1_000)) + "|\n" + "|-" * 1_000 + "|\n"
    with pytest.raises(InvalidInput) as raised:
        await text.render(header + "|\n" * 2_000, "body")
    assert raised.value.errors[0].message == text.TOO_COMPLEX
    quotes = '"' * 10_000  # six times as long as HTML, and fine
    assert await text.render(quotes, "body") == text.render_markdown(quotes)


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
    monkeypatch.setattr(text, "RENDER_SECONDS", 0.2)
    # The parser's own slow input: it fills every row with the header's thousand columns
    # (some two seconds to write 80 MB here). Ended well before, not refused afterwards.
    header = "|" + "|".join("h" for _ in range(1_000)) + "|\n" + "|-" * 1_000 + "|\n"
    started = time.monotonic()
    with pytest.raises(InvalidInput) as raised:
        await text.render(header + "|\n" * 2_000, "body")
    assert raised.value.errors[0].message == text.TOO_COMPLEX
    assert time.monotonic() - started < 1.5
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


def test_quotes_and_lists_nest_no_deeper_than_the_limit_and_keep_their_text() -> None:
    quotes = text.render_markdown(">" * 10_000 + " tief")
    assert quotes.count("<blockquote>") == quotes.count("</blockquote>") == text.NESTING_MAX
    assert "<p>tief</p>" in quotes
    lists = text.render_markdown("> - " * 30 + "unten")
    assert lists.count("<blockquote>") + lists.count("<ul>") == text.NESTING_MAX
    assert "unten" in lists


def test_a_refused_link_or_image_shows_as_written_wherever_it_stands() -> None:
    html = text.render_markdown("> - Sieh [hier\nnach](/intern) und ![Plan](/p.png) *jetzt*")
    assert "[hier\nnach](/intern)" in html and "![Plan](/p.png)" in html
    assert "<em>jetzt</em>" in html and "<a" not in html
    inside = text.render_markdown("[![Plan](/p.png) ansehen](https://b.example)")
    assert inside == f"<p>{_link('https://b.example', '![Plan](/p.png) ansehen')}</p>\n"
