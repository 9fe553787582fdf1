"""Rendering user-written Markdown safely."""

from __future__ import annotations

from markdown_it import MarkdownIt

# js-default turns raw HTML off and refuses javascript:/vbscript:/data: links; the plain
# default preset would pass <script> straight through.
_md = MarkdownIt("js-default")


def render_markdown(text: str) -> str:
    return _md.render(text or "")
