"""The email that tells an invited address about its role, sent like a sign-in link."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from participation.accounts.authorization.invitations import Invitation
from participation.municipalities.models import Municipality
from server import i18n
from server.templating import render_text

ROLE_NAMES = {"council": "Council member", "moderator": "Moderator", "admin": "Administrator"}


async def send_invitation(
    request: Request, municipality: Municipality, invitation: Invitation
) -> None:
    """Queue the email after the invitation was stored (the command has committed)."""
    settings = request.app.state.settings
    next_path = f"/m/{municipality.slug}"
    link = f"{settings.base_url}/sign-in?{urlencode({'next': next_path})}"
    context = {
        "link": link,
        "municipality": municipality.name,
        "inviter": invitation.invited_by or municipality.name,
        "role": i18n.gettext(ROLE_NAMES[invitation.role.value]),
    }
    await request.app.state.jobs.enqueue(
        "send_email",
        to=invitation.email,
        subject=render_text("email/accounts_invitation/subject.txt", **context).strip(),
        text=render_text("email/accounts_invitation/body.txt", **context),
        html=render_text("email/accounts_invitation/body.html", **context),
    )
