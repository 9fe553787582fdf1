"""Hostile Markdown: what people who want a page to run their script, leave the site, load
their content or stall the renderer write.

Payloads either set the sentinel `window.__pwned` or open a dialog, so the browser test
can tell whether anything ran. Most entries must render (inertly); the few whose cost or
size the renderer refuses say with which message.
"""

from __future__ import annotations

from dataclasses import dataclass

from participation import text
from participation.messages import Message

PWN = "window.__pwned=1"


@dataclass(frozen=True)
class Hostile:
    name: str
    source: str
    refused: Message | None = None


def _table(columns: int, rows: int, cell: str) -> str:
    header = "|" + "|".join(f"h{c}" for c in range(columns)) + "|\n"
    delimiter = "|" + "|".join("-" for _ in range(columns)) + "|\n"
    return header + delimiter + "".join(f"|{cell}|\n" for _ in range(rows))


CORPUS: list[Hostile] = [
    # Script elements, in every casing and shape.
    Hostile("script tag", f"<script>{PWN}</script>"),
    Hostile("script upper case", f"<SCRIPT>{PWN}</SCRIPT>"),
    Hostile("script mixed case, spaces", f"<ScRiPt >{PWN}</sCrIpT >"),
    Hostile("script with a source", '<script src="https://evil.example/x.js"></script>'),
    Hostile("script split by a line", f"<script\n>{PWN}</script\n>"),
    Hostile("script nested in script", f"<<script>script>{PWN}<</script>/script>"),
    Hostile("script inside its own name", f"<scr<script>ipt>{PWN}</scr</script>ipt>"),
    Hostile("script mid-paragraph", f"Ein Satz <script>{PWN}</script> geht weiter."),
    Hostile("script with a slash attribute", f"<script/x src=data:,{PWN}></script>"),
    Hostile("script as entities", f"&lt;script&gt;{PWN}&lt;/script&gt;"),
    Hostile("script in a fenced block", f"```html\n<script>{PWN}</script>\n```"),
    Hostile("script in inline code", f"`<script>{PWN}</script>`"),
    Hostile("script in a heading", f"# <script>{PWN}</script>"),
    Hostile("script split by NUL", f"<scr\x00ipt>{PWN}</scr\x00ipt>"),
    # javascript: in inline links, with entity, whitespace and case tricks.
    Hostile("javascript link", f"[klick](javascript:{PWN})"),
    Hostile("javascript link mixed case", f"[klick](JaVaScRiPt:{PWN})"),
    Hostile("javascript link in angle brackets", f"[klick](<javascript:{PWN}>)"),
    Hostile("javascript link with a title", f'[klick](javascript:{PWN} "Titel")'),
    Hostile("javascript decimal entity", f"[klick](&#106;avascript:{PWN})"),
    Hostile("javascript hex entity", f"[klick](&#x6A;&#x61;vascript:{PWN})"),
    Hostile("javascript padded entity", f"[klick](&#0000106;avascript:{PWN})"),
    Hostile("javascript tab entity", f"[klick](jav&#x09;ascript:{PWN})"),
    Hostile("javascript line feed entity", f"[klick](jav&#x0A;ascript:{PWN})"),
    Hostile("javascript carriage return entity", f"[klick](java&#13;script:{PWN})"),
    Hostile("javascript named colon", f"[klick](javascript&colon;{PWN})"),
    Hostile("javascript percent-encoded", f"[klick](%6Aavascript:{PWN})"),
    Hostile("javascript after a control", f"[klick](\x01javascript:{PWN})"),
    Hostile("javascript split by NUL", f"[klick](java\x00script:{PWN})"),
    Hostile("javascript split by a zero-width space", f"[klick](java\u200bscript:{PWN})"),
    Hostile("javascript in full-width letters", f"[klick](ｊａｖａｓｃｒｉｐｔ:{PWN})"),
    Hostile("javascript image", f"![bild](javascript:{PWN})"),
    Hostile("javascript image in a link", f"[![bild](javascript:{PWN})](javascript:{PWN})"),
    Hostile("javascript autolink", f"<javascript:{PWN}>"),
    Hostile("javascript autolink upper case", "<JAVASCRIPT:alert(1)>"),
    Hostile("javascript autolink with a URL tail", f"<javascript:{PWN}//https://ok.example>"),
    Hostile("javascript reference", f"[klick][r]\n\n[r]: javascript:{PWN}"),
    Hostile("javascript reference in brackets", f"[klick][]\n\n[klick]: <javascript:{PWN}>"),
    Hostile("javascript shortcut reference", f"[r]\n\n[r]: &#106;avascript:{PWN} 'T'"),
    Hostile("javascript reference image", f"![bild][r]\n\n[r]: javascript:{PWN}"),
    Hostile("javascript bare, for linkify", f"Siehe javascript:{PWN} und javascript://%0a{PWN}"),
    # data:, vbscript:, file: and other places to go.
    Hostile(
        "data HTML link",
        "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ),
    Hostile("data HTML link upper case", "[klick](DATA:text/html,<script>alert(1)</script>)"),
    Hostile(
        "data SVG image",
        "![bild](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)",
    ),
    Hostile("data PNG image", "![bild](data:image/png;base64,iVBORw0KGgo=)"),
    Hostile("data autolink", "<data:text/html,alert(1)>"),
    Hostile("data reference", "[klick][d]\n\n[d]: data:text/html,alert(1)"),
    Hostile("vbscript link", "[klick](vbscript:msgbox(1))"),
    Hostile("vbscript image", "![bild](VBScript:msgbox(1))"),
    Hostile("vbscript autolink", "<vbscript:msgbox(1)>"),
    Hostile("vbscript reference", "[klick][v]\n\n[v]: vbscript:msgbox(1)"),
    Hostile("file link", "[klick](file:///etc/passwd)"),
    Hostile("scheme-relative link", "[klick](//evil.example/) und //evil.example/bare"),
    Hostile("backslash link", "[klick](\\\\evil.example) [klick](https:\\\\evil.example)"),
    Hostile("relative and anchor links", "[klick](/account/delete) [klick](#main)"),
    Hostile("ftp link", "[klick](ftp://evil.example/) und ftp://evil.example/bare"),
    Hostile("http without slashes", "[klick](http:evil.example)"),
    # Raw HTML with event handlers and active elements.
    Hostile("img onerror", f'<img src=x onerror="{PWN}">'),
    Hostile("img onerror mixed case", f"<IMG SRC=x OnErRoR={PWN}>"),
    Hostile("svg onload", f'<svg onload="{PWN}">'),
    Hostile("svg with script", f"<svg><script>{PWN}</script></svg>"),
    Hostile("iframe javascript", f'<iframe src="javascript:{PWN}"></iframe>'),
    Hostile("iframe srcdoc", f'<iframe srcdoc="<script>parent.{PWN}</script>"></iframe>'),
    Hostile("style element", "<style>body{background:url(javascript:alert(1))}</style>"),
    Hostile("object and embed", '<object data="javascript:alert(1)"></object><embed src=x>'),
    Hostile(
        "form with a button", '<form action="https://evil.example"><button>Los</button></form>'
    ),
    Hostile("anchor with javascript", f'<a href="javascript:{PWN}">klick</a>'),
    Hostile("div onmouseover", f'<div onmouseover="{PWN}">\n\n*darüber*\n\n</div>'),
    Hostile("details ontoggle", f"<details open ontoggle={PWN}>"),
    Hostile("input autofocus", f"<input autofocus onfocus={PWN}>"),
    Hostile("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    Hostile("base element", '<base href="javascript:/">[klick](x)'),
    Hostile(
        "math mutation",
        f"<math><mtext><table><mglyph><style><img src=x onerror={PWN}>",
    ),
    Hostile("comment hiding a tag", f"<!--<img src=x onerror={PWN}>-->"),
    Hostile("video source onerror", f"<video><source onerror={PWN}></video>"),
    # Markdown that puts markup into attributes.
    Hostile("tag as a link label", f"[<img src=x onerror={PWN}>](https://ok.example)"),
    Hostile("quote in an image description", f'![" onerror="{PWN}](https://ok.example/a.png)'),
    Hostile(
        "quote in an image title",
        f'![bild](https://ok.example/a.png "\\" onerror=\\"{PWN}")',
    ),
    Hostile("quote in a link title", f"[klick](https://ok.example 'x\" onmouseover=\"{PWN}')"),
    Hostile("quote in a link target", f'[klick](https://ok.example/" onmouseover="{PWN})'),
    Hostile("tag in a link target", f"[klick](https://ok.example/<script>{PWN}</script>)"),
    Hostile("quote in a bare URL", f'https://ok.example/?a="onmouseover="{PWN}'),
    Hostile("quote after www", f'www.ok.example"onmouseover="{PWN}'),
    Hostile("mailto with markup", "mailto:a@ok.example?subject=<script>alert(1)</script>"),
    Hostile("fence info with a quote", f'```js" onclick="{PWN}\ncode\n```'),
    Hostile("tag in a table cell", f"|a|\n|-|\n|<img src=x onerror={PWN}>|"),
    Hostile("tag in strong", f"**<svg onload={PWN}>**"),
    # What costs a parser time or makes the page huge.
    Hostile("emphasis bomb", "*a" * 5_000),
    Hostile("strong bomb", "**" * 5_000),
    Hostile("mixed emphasis bomb", "_*" * 5_000),
    Hostile("nested emphasis", "*" * 4_000 + "a" + "*" * 4_000),
    Hostile("10,000 opening brackets", "[" * 10_000, refused=text.TOO_MANY_BRACKETS),
    Hostile("5,000 image openers", "![" * 5_000, refused=text.TOO_MANY_BRACKETS),
    Hostile("unclosed link targets", "[a](" * 2_500),
    Hostile("10,000 nested quotes", ">" * 10_000 + " tief"),
    Hostile("nested lists", "".join(" " * (2 * depth) + "- x\n" for depth in range(500))),
    Hostile("10,000 backticks", "`" * 10_000),
    Hostile("10,000 angle brackets", "<" * 10_000),
    Hostile("entities", "&#x41;" * 1_600),
    Hostile("many references", "".join(f"[r{i}]: https://ok.example/{i}\n" for i in range(400))),
    Hostile("long URL", "https://ok.example/" + "a" * 9_000),
    Hostile("1,000-column table", _table(1_000, 3, "|".join("x" for _ in range(1_000)))),
    Hostile(
        "1,000-column table of empty rows",
        _table(1_000, 2_000, ""),
        refused=text.TOO_COMPLEX,
    ),
    # Characters that reorder or hide what the page says.
    Hostile("right-to-left override", "Rechnung\u202etxt.exe\u202c [klick](https://ok.example)"),
    Hostile("direction isolates", "\u2066\u2067\u2068umgedreht\u2069 und \u202a\u202b\u202d"),
    Hostile("override in a link label", "[\u202eelpmaxe.ko\u202c](https://ok.example)"),
    Hostile("NUL and escape bytes", "vor\x00her \x1b[31mrot\x1b[0m \x7f\x9b"),
    Hostile("line and paragraph separators", f"a\u2028b\u2029<script>{PWN}</script>"),
]
