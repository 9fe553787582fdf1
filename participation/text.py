"""Rendering user-written Markdown safely: off the event loop, and within a time limit.

Some inputs cost markdown-it-py far more than their length suggests: every `[` that no `]`
closes starts a link label scan that runs ahead through the rest of the paragraph, nesting
up to `maxNesting` deep, so 20,000 characters of `![` took seconds. Rendering therefore runs
in a pool of worker processes — in a thread it would still take the event loop's GIL half
of the time — where a render that outlasts RENDER_SECONDS is ended by ending its process.
Text with more unclosed brackets than any prose has is refused before it is parsed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import threading

from markdown_it import MarkdownIt
from pebble import ProcessPool

from participation.errors import InvalidInput
from participation.messages import Message

# js-default turns raw HTML off and refuses javascript:/vbscript:/data: links; the plain
# default preset would pass <script> straight through. Its maxNesting of 100 multiplies the
# cost of every unclosed bracket; CommonMark's own preset uses 20, deeper than prose nests.
_md = MarkdownIt("js-default", {"maxNesting": 20})

RENDER_SECONDS = 2.0
UNCLOSED_MAX = 200
WORKERS = 2

TOO_COMPLEX = Message("This text is too complex to display. Simplify its formatting.")
TOO_MANY_BRACKETS = Message(
    "This text has too many unclosed square brackets. Close them, or write \\[ for a bracket."
)

# Direction embeddings, overrides and isolates would reorder the page around them, and
# controls other than TAB and the line ends have no business in HTML; both are dropped from
# what is displayed while the source keeps them. The direction marks stay, as in titles.
_INERT = str.maketrans(
    dict.fromkeys(
        [
            *range(0x00, 0x09),
            0x0B,
            0x0C,
            *range(0x0E, 0x20),
            *range(0x7F, 0xA0),
            *range(0x202A, 0x202F),
            *range(0x2066, 0x206A),
        ]
    )
)

_escaped_or_bracket = re.compile(r"\\.|\n[ \t]*\n|[\[\]]", re.DOTALL)


def render_markdown(text: str) -> str:
    """The HTML for `text`, here and now; callers on the event loop use `render`."""
    return _md.render((text or "").translate(_INERT))


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


def _render_checked(text: str) -> str | None:
    """Runs in a worker: None for text refused before parsing."""
    if unclosed_brackets(text) > UNCLOSED_MAX:
        return None
    return render_markdown(text)


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
            _pool = ProcessPool(WORKERS, context=context)
        return _pool


async def render(text: str, field: str) -> str:
    """The HTML for `text`, rendered in a worker process.

    Raises InvalidInput naming `field` when the text has too many unclosed brackets or its
    rendering outlasts RENDER_SECONDS.
    """
    if not text.strip():
        return render_markdown(text)
    future = _workers().schedule(_render_checked, (text,), timeout=RENDER_SECONDS)
    try:
        html = await asyncio.wrap_future(future)
    except TimeoutError:
        raise InvalidInput.on(field, TOO_COMPLEX) from None
    if html is None:
        raise InvalidInput.on(field, TOO_MANY_BRACKETS)
    return html
