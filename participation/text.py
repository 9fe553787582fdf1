"""Rendering user-written Markdown safely: off the event loop, and within a time limit.

This is the one renderer of every text a person writes (mandates, answers, cost
assumptions, plans, ratings, comments). What it may put on a page is narrow: no raw HTML,
links only to http, https and mailto addresses, each marked as the user's with
`rel="nofollow ugc noopener"`, no images (an image becomes a link to it, or its
description), and no character that reorders the page around it.

Parsing is markdown-it-pyrs (markdown-it ported to Rust, about fifty times faster than
markdown-it-py: under a millisecond for 10,000 characters). It has no hooks for link
validation or render rules, so the rules are applied to its HTML: a short pass rewrites
the links and images it wrote (refused targets back to the text that was written, images
to links), and nh3 (the ammonia sanitizer) then keeps only the elements and attributes
Markdown needs, only http, https and mailto targets, and sets the rel on every link. The
second is the guarantee; the first is what makes the page say what was written.

Rendering still runs in a pool of worker processes where a render that outlasts
RENDER_SECONDS is ended by ending its process, because the Rust parser has its own
pathological input: a table header of a thousand columns over rows that name none is
filled with empty cells, 80 MB of HTML and two seconds from 13,000 characters. In a thread
it would hold the event loop's GIL throughout. Text with more unclosed brackets than any
prose has is refused before it is parsed, and text whose HTML would be far larger than
itself after it.
"""

from __future__ import annotations

import asyncio
import html as html_text
import multiprocessing
import re
import signal
import threading
from typing import TYPE_CHECKING

import nh3
from markdown_it_pyrs import MarkdownIt
from pebble import ProcessPool

from participation.errors import InvalidInput
from participation.messages import Message

if TYPE_CHECKING:
    from markdown_it_pyrs.markdown_it_pyrs import _PLUGIN_NAME

# Every link a person writes is marked as theirs: search engines give it no weight (the
# platform vouches for no one's link), and the page it opens gets no handle on ours. Links
# open in the same tab, as every other link on the site does.
USER_LINK_REL = "nofollow ugc noopener"

# Only these targets become links. Relative paths and #anchors would mean something
# different on every page, feed, e-mail and API client that shows the HTML; scheme-
# relative //host, ftp:, data:, javascript: and the rest are not wanted at all. The URL is
# checked as the parser writes it, entities decoded: it has percent-encoded every control
# and space, so a tab or a line break inside a scheme (jav&#x09;ascript:) cannot make one.
_ALLOWED_TARGET = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
_SCHEMES = {"http", "https", "mailto"}

# CommonMark without raw HTML (escaped, as text), with tables, strikethrough and links for
# bare URLs, www. addresses and e-mail addresses (linkify and GFM's extended autolinks).
# Bare names with a dot (README.md, bericht.pdf) are not linked, nor ftp: or //host. No
# typographic replacements.
_SYNTAX: list[_PLUGIN_NAME] = [
    *("blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"),
    *("reference", "autolink", "backticks", "emphasis", "entity", "escape", "image"),
    *("link", "newline", "table", "strikethrough", "linkify", "autolink_ext"),
]
_md = MarkdownIt("zero")
_md.enable_many(_SYNTAX)
# The same, marking where each element was written, so that a refused link or image can be
# shown as written. Only for texts that have one: the marks cost half the parse again.
_placed = MarkdownIt("zero")
_placed.enable_many(_SYNTAX)
_placed.enable("sourcepos")

# What the parser writes for a link and an image, with the place it was written if marked.
_PLACE = r'(?: data-sourcepos="(\d+):(\d+)-(\d+):(\d+)")?'
_LINK_OR_IMAGE = re.compile(f"<a{_PLACE}( [^>]*)>|</a>|<img{_PLACE}( [^>]*) />")
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')

# Table cells lose markdown-it's style="text-align:…", its only style attribute: the
# page's policy refuses those (and reports each). Comments, and the text of any element
# outside the list, are dropped; the parser writes neither.
_sanitizer = nh3.Cleaner(
    tags={
        *("p", "em", "strong", "s", "code", "pre", "a", "blockquote", "hr", "br"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    },
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}},
    url_schemes=_SCHEMES,
    url_relative="deny",
    link_rel=USER_LINK_REL,
    strip_comments=True,
)


class _Source:
    """The text as written, sliced by the parser's line:column (1-based, inclusive)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts: list[int] = []  # found when first needed: most texts never do

    def written(self, numbers: tuple[str, ...]) -> str:
        if not self.line_starts:
            self.line_starts = [0, *(found.end() for found in re.finditer("\n", self.text))]
        first_line, first_column, last_line, last_column = map(int, numbers)
        start = self.line_starts[first_line - 1] + first_column - 1
        end = self.line_starts[last_line - 1] + last_column
        return html_text.escape(self.text[start:end], quote=False)


def _target(attributes: str, name: str) -> str | None:
    """The link's or image's target if it is allowed, still HTML-escaped."""
    values = dict(_ATTRIBUTE.findall(attributes))
    target = values.get(name, "")
    return target if _ALLOWED_TARGET.match(html_text.unescape(target)) else None


def _links_and_images(html: str, source: _Source) -> str | None:
    """The parser's HTML with refused links and images shown as written, and images made
    links or text, or None if it has a refused one but no marks of where it was written.

    An image is never shown: the page's policy refuses images from elsewhere anyway, and
    one that loaded would tell its host who reads the text and when. It becomes a link to
    the image labelled by its description (or its address), or, inside a link, just the
    description. Links do not nest in Markdown, so the next </a> closes the open one.
    """
    parts: list[str] = []
    done = 0
    in_link = False
    skipping = False
    for found in _LINK_OR_IMAGE.finditer(html):
        if skipping:
            skipping = found.group() != "</a>"
            done = found.end()
            continue
        parts.append(html[done : found.start()])
        done = found.end()
        if found.group() == "</a>":
            in_link = False
            parts.append("</a>")
        elif found.group(5) is not None:
            href = _target(found.group(5), "href")
            if href is None:
                if found.group(1) is None:
                    return None
                parts.append(source.written(found.group(1, 2, 3, 4)))
                skipping = True
            else:
                title = dict(_ATTRIBUTE.findall(found.group(5))).get("title")
                parts.append(f'<a href="{href}"' + (f' title="{title}">' if title else ">"))
                in_link = True
        else:
            image = found.group(10)
            src = _target(image, "src")
            description = dict(_ATTRIBUTE.findall(image)).get("alt", "")
            if src is None:
                if found.group(6) is None:
                    return None
                parts.append(source.written(found.group(6, 7, 8, 9)))
            elif in_link:
                parts.append(description)
            else:
                parts.append(f'<a href="{src}">{description or src}</a>')
    parts.append(html[done:])
    return "".join(parts)


RENDER_SECONDS = 2.0
UNCLOSED_MAX = 200
WORKERS = 2
# Ordinary formatting makes HTML a few times longer than its source (a quote mark becomes
# &quot;, a bare URL a link with its rel, twenty nested quotes some 25 times); a table
# header's columns repeated as empty cells under every row that names none can make it
# hundreds of times longer, which every page showing the text would carry.
HTML_PER_CHARACTER = 30
HTML_ALLOWANCE = 1_000

TOO_COMPLEX = Message("This text is too complex to display. Simplify its formatting.")
TOO_MANY_BRACKETS = Message(
    "This text has too many unclosed square brackets. Close them, or write \\[ for a bracket."
)

# Direction embeddings, overrides and isolates would reorder the page around them, and
# controls other than TAB and the line ends have no business in HTML; both are dropped from
# what is displayed while the source keeps them. The direction marks stay, as in titles.
_INERT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_escaped_or_bracket = re.compile(r"\\.|\n[ \t]*\n|[\[\]]", re.DOTALL)


# Quotes and lists nest no deeper than this on a page, as markdown-it-py's CommonMark preset
# had it. The parser itself nests without bound, and the sanitizer's HTML parser takes time
# quadratic in the depth: 10,000 nested quotes cost it a second.
NESTING_MAX = 20
_CONTAINER = re.compile(r'<(/?)(?:blockquote|ul|ol)(?: start="\d+")?>\n')


def _flattened(html: str) -> str:
    """The parser's HTML without the quotes and lists nested deeper than NESTING_MAX: their
    content stays, in the deepest one kept."""
    if html.count("<blockquote>") + html.count("<ul>") + html.count("<ol") <= NESTING_MAX:
        return html
    parts: list[str] = []
    done = depth = 0
    for found in _CONTAINER.finditer(html):
        closing = found.group(1) == "/"
        depth += 0 if closing else 1
        if depth > NESTING_MAX:
            parts.append(html[done : found.start()])
            done = found.end()
        depth -= 1 if closing else 0
    parts.append(html[done:])
    return "".join(parts)


def render_markdown(text: str) -> str:
    """The HTML for `text`, here and now; callers on the event loop use `render`."""
    source = _Source(_INERT.sub("", text or ""))
    html = _links_and_images(_md.render(source.text), source)
    if html is None:
        html = _links_and_images(_placed.render(source.text), source) or ""
    return _sanitizer.clean(_flattened(html))


def unclosed_brackets(text: str) -> int:
    """How many `[` no `]` closes within their paragraph, escaped ones aside."""
    unclosed = open_now = 0
    for match in _escaped_or_bracket.finditer(text):
        token = match.group()
        if token == "[":
            open_now += 1
        elif token == "]":
            open_now = max(open_now - 1, 0)
        elif token[0] == "\n":
            unclosed += open_now
            open_now = 0
    return unclosed + open_now


def _render_checked(text: str) -> str | Message:
    """Runs in a worker: the HTML, or the Message that refuses the text."""
    if unclosed_brackets(text) > UNCLOSED_MAX:
        return TOO_MANY_BRACKETS
    html = render_markdown(text)
    if len(html) > HTML_PER_CHARACTER * len(text) + HTML_ALLOWANCE:
        return TOO_COMPLEX
    return html


def _worker_start() -> None:
    """A worker ends at once when told to: pebble's own handler for that signal is Python,
    which runs only once the parser, in Rust, has returned, so a render past its limit
    would run to its end (or pebble's kill three seconds later). The worker holds nothing
    that needs cleaning up."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_pool: ProcessPool | None = None
_pool_lock = threading.Lock()


def _workers() -> ProcessPool:
    global _pool
    with _pool_lock:
        if _pool is None or not _pool.active:
            # A fork server, not plain fork: this process runs threads, and forking them is
            # unsafe. Workers start with this module imported, so a replaced one is ready soon.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _pool = ProcessPool(WORKERS, initializer=_worker_start, context=context)
        return _pool


async def render(text: str, field: str) -> str:
    """The HTML for `text`, rendered in a worker process.

    Raises InvalidInput naming `field` when the text has too many unclosed brackets, its
    rendering outlasts RENDER_SECONDS, or its HTML would be far larger than itself.
    """
    if not text.strip():
        return render_markdown(text)
    future = _workers().schedule(_render_checked, (text,), timeout=RENDER_SECONDS)
    try:
        html = await asyncio.wrap_future(future)
    except TimeoutError:
        raise InvalidInput.on(field, TOO_COMPLEX) from None
    if isinstance(html, Message):
        raise InvalidInput.on(field, html)
    return html
