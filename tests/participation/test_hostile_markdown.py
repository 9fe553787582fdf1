"""Every hostile input renders to HTML that can run nothing, load nothing and lead nowhere
but http, https and mailto, or is refused, in either case within the time limit.

The output is parsed, not searched for strings: what a browser would build from it is what
counts, so an escaped `&lt;script&gt;` passes and an element or attribute outside the short
list Markdown needs fails, whatever its spelling.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from participation import text
from participation.errors import InvalidInput
from tests.participation.hostile_markdown import CORPUS, Hostile

# What Markdown without raw HTML produces, and the attributes it may carry.
ELEMENTS = {
    *("p", "em", "strong", "s", "code", "pre", "a", "blockquote", "hr", "br"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ATTRIBUTES = {"a": {"href", "rel", "title"}, "ol": {"start"}, "code": {"class"}}
ALLOWED_TARGET = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
LANGUAGE_CLASS = re.compile(r"language-\S+")
# Browsers drop these from a URL before reading its scheme.
URL_IGNORED = re.compile(r"[\t\n\r]")
REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")

# The limit, and the time to hand the text to a worker and back on a busy machine.
ANSWER_SECONDS = text.RENDER_SECONDS + 0.5


class Inspector(HTMLParser):
    """Collects what in a piece of HTML could run, load or lead somewhere it should not."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ELEMENTS:
            self.problems.append(f"element <{tag}>")
        for name, _value in attrs:
            if name not in ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
        values = dict(attrs)
        if tag == "a":
            self.links += 1
            href = URL_IGNORED.sub("", (values.get("href") or "").strip())
            if not ALLOWED_TARGET.match(href):
                self.problems.append(f"link to {href!r}")
            if values.get("rel") != "nofollow ugc noopener":
                self.problems.append(f"link rel {values.get('rel')!r}")
        if tag == "code" and "class" in values:
            if not LANGUAGE_CLASS.fullmatch(values["class"] or ""):
                self.problems.append(f"code class {values['class']!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if REORDERING.search(data):
            self.problems.append("direction control in the text")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_the_corpus_is_large_and_its_names_unique() -> None:
    assert len(CORPUS) >= 60
    assert len({entry.name for entry in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("entry", CORPUS, ids=[entry.name for entry in CORPUS])
async def test_hostile_markdown_renders_inert_and_in_time(entry: Hostile) -> None:
    await text.render("warm", "body")
    started = time.monotonic()
    try:
        html = await text.render(entry.source, "body")
    except InvalidInput as refusal:
        seconds = time.monotonic() - started
        assert [error.field for error in refusal.errors] == ["body"]
        assert refusal.errors[0].message == entry.refused, "refused, though it should render"
    else:
        seconds = time.monotonic() - started
        assert entry.refused is None, f"rendered, though it should be refused: {entry.refused}"
        assert problems_in(html) == []
    assert seconds < ANSWER_SECONDS


def test_the_inspector_sees_what_it_looks_for() -> None:
    """The checks above are only as good as this: each kind of problem is found."""
    fine = "<p>fine <a href='https://ok.example' rel='nofollow ugc noopener'>x</a></p>"
    assert problems_in(fine) == []
    for html in (
        "<script>x</script>",
        "<SVG ONLOAD=x>",
        "<img src=x>",
        '<p onclick="x">a</p>',
        '<a href="javascript:x" rel="nofollow ugc noopener">x</a>',
        '<a href="jav\tascript:x" rel="nofollow ugc noopener">x</a>',
        '<a href="&#106;avascript:x" rel="nofollow ugc noopener">x</a>',
        '<a href="https://ok.example">no rel</a>',
        '<a href="/relative" rel="nofollow ugc noopener">x</a>',
        '<td style="text-align:right">1</td>',
        '<code class="language-x onclick">c</code>',  # two classes
        "<p>\u202eumgedreht</p>",
        "<!-- x -->",
    ):
        assert problems_in(html), html
