"""HTML pages: server-rendered, working without JavaScript.

Each module here that declares `PAGES` is served, by order.
"""

from __future__ import annotations

import sys

from starlette.routing import BaseRoute

from server.settings import Settings
from server.web import Pages, declared


def routes(settings: Settings) -> list[BaseRoute]:
    declarations = declared(sys.modules[__name__], "PAGES", Pages)
    ordinary = [route for pages in declarations for route in pages.routes]
    optional = [route for pages in declarations for route in pages.optional(settings)]
    return [*ordinary, *optional]
