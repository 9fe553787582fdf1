"""The email that tells an invited address about its role, sent like a sign-in link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request

from participation.accounts.authorization.invitations import Invitation
from participation.municipalities.models import Municipality
from server import i18n
from server.settings import Settings
from server.templating import render_text

ROLE_NAMES = {"council": "Council member", "moderator": "Moderator", "admin": "Administrator"}


def operator_inviter(settings: Settings) -> str:
    """Who founds a municipality and names its first administrator: the deployment's
    operators, as a role with the site's address, not the pseudonym of an account that
    `auftrag operator grant` made without a name."""
    host = urlsplit(settings.base_url).hostname or settings.base_url
    return i18n.gettext("The team running Auftrag at %(site)s") % {"site": host}


def invitation_mail(
    settings: Settings, municipality: Municipality, invitation: Invitation, inviter: str | None
) -> dict[str, Any]:
    """The `send_email` job's arguments; `inviter` names who invites, else the invitation."""
    next_path = f"/m/{municipality.slug}"
    link = f"{settings.base_url}/sign-in?{urlencode({'next': next_path})}"
    context = {
        "link": link,
        "municipality": municipality.name,
        "inviter": inviter or invitation.invited_by or municipality.name,
        "role": i18n.gettext(ROLE_NAMES[invitation.role.value]),
    }
    return dict(
        to=invitation.email,
        subject=render_text("email/accounts_invitation/subject.txt", **context).strip(),
        text=render_text("email/accounts_invitation/body.txt", **context),
        html=render_text("email/accounts_invitation/body.html", **context),
    )


async def send_invitation(
    request: Request,
    municipality: Municipality,
    invitation: Invitation,
    inviter: str | None = None,
) -> None:
    """Queue the email after the invitation was stored (the command has committed)."""
    mail = invitation_mail(request.app.state.settings, municipality, invitation, inviter)
    await request.app.state.jobs.enqueue("send_email", **mail)
