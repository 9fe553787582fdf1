"""The page an email's unsubscribe link opens: a GET only asks, the POST unsubscribes.

Link scanners and mail previews follow links, so opening one must change nothing. The
POST needs no CSRF token: mail clients send the one-click POST of RFC 8058 without one,
and the signed link already proves it came from her email; the worst a forged request
could do is what the link itself does.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifications.email.render import CATEGORY_NAMES
from notifications.email.tokens import Unsubscribe
from notifications.email.unsubscribe import check_link, unsubscribe
from participation.errors import DomainError
from server import i18n
from server.api.unsubscribe import keys
from server.pages.forms import error_page
from server.templating import render
from server.web import Pages


def _names(found: Unsubscribe) -> list[str]:
    return [i18n.gettext(CATEGORY_NAMES[category]) for category in found.categories]


async def unsubscribe_page(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        if request.method == "POST":
            found = await unsubscribe(keys(request), token)
            return render(request, "pages/unsubscribed.html", categories=_names(found))
        found = await check_link(keys(request), token)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "pages/unsubscribe.html", categories=_names(found), token=token)


ROUTES = [Route("/unsubscribe/{token}", unsubscribe_page, methods=["GET", "POST"])]

PAGES = Pages(84, ROUTES)
