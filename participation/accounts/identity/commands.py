"""Account actions: sign-in links, and the operator's way to create people with roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from pydantic import EmailStr, TypeAdapter, ValidationError

from participation import clock, single_line, unit
from participation.accounts.authorization.pending import apply_pending_roles
from participation.accounts.models import Membership, ResidenceSource, Session, SignInToken, User
from participation.accounts.residency import declarations
from participation.errors import InvalidInput, PermissionDenied
from participation.messages import Message
from participation.municipalities.queries import district_by_slug, municipality_by_slug
from participation.permissions import Role
from participation.redirects import safe_next

LINK_MINUTES = 15
DISPLAY_NAME_MAX = 80
_email = TypeAdapter(EmailStr)


def normalise_email(email: str) -> str:
    """Lower-cased and validated; raises InvalidInput naming the `email` field."""
    try:
        return _email.validate_python((email or "").strip()).lower()
    except ValidationError:
        raise InvalidInput.on("email", Message("Enter a valid email address.")) from None


def _default_name() -> str:
    """A placeholder until people choose a name; random, so it reveals no account count."""
    return f"Mitglied {secrets.token_hex(3)}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_sign_in_link(
    email: str, display_name: str | None = None, next_path: str | None = None
) -> tuple[User, str]:
    """Create a single-use sign-in token for `email`, creating the account if it is new.

    Returns the user and the plain token, which exists only in the email sent.
    Raises InvalidInput for a bad email or display name.
    """
    address = normalise_email(email)
    single_line.check("display_name", display_name or "")
    name = " ".join((display_name or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput.on(
            "display_name",
            Message("Display name must be at most %(max)s characters.", max=DISPLAY_NAME_MAX),
        )
    token = secrets.token_urlsafe(32)
    async with unit.atomic() as u:
        user = await User.get_or_none(email=address, using_db=u.conn)
        if user is None:
            user = await User.create(
                email=address, display_name=name or _default_name(), using_db=u.conn
            )
        await SignInToken.create(
            user_id=user.id,
            token_hash=_hash(token),
            expires_at=clock.now() + timedelta(minutes=LINK_MINUTES),
            next_path=safe_next(next_path),
            using_db=u.conn,
        )
    return user, token


async def redeem_sign_in_link(token: str) -> tuple[User, str]:
    """Use a sign-in token once; proves the email address. Returns the user and next path.

    Roles administrators invited the address to take effect now.

    Raises InvalidInput (field `token`) when the link is unknown, used or expired.
    """
    invalid = InvalidInput.on(
        "token",
        Message("This sign-in link is invalid, already used or expired. Request a new one."),
    )
    if not token or len(token) > 200:
        raise invalid
    async with unit.atomic() as u:
        row = await SignInToken.get_or_none(token_hash=_hash(token), using_db=u.conn)
        if row is None or row.used_at is not None or row.expires_at < clock.now():
            raise invalid
        if await User.filter(id=row.user_id).exclude(suspended_at=None).using_db(u.conn).exists():
            raise PermissionDenied(Message("This account is suspended."))
        claimed = (
            await SignInToken.filter(id=row.id, used_at=None)
            .using_db(u.conn)
            .update(used_at=clock.now())
        )
        if not claimed:
            raise invalid
        await User.filter(id=row.user_id).using_db(u.conn).update(email_verified=True)
        user = await User.get(id=row.user_id, using_db=u.conn)
        await apply_pending_roles(u, user.id, user.email)
    return user, row.next_path


async def ensure_user(
    email: str,
    *,
    display_name: str | None = None,
    role: Role | None = None,
    municipality_slug: str | None = None,
    verified: bool = False,
    declare: bool = False,
    district_slug: str | None = None,
) -> User:
    """Create or update a person for operators and tests (`auftrag token`, `create-user`).

    With `declare`, the person also declares she lives in the municipality (and in
    `district_slug`), as `auftrag token --municipality` does for scripted clients.
    Raises InvalidInput for a bad email or display name, an unknown municipality or
    district, or a role or district without a municipality; nothing is written then.
    """
    address = normalise_email(email)
    single_line.check("display_name", display_name or "")
    municipality = None
    district = None
    if role is not None and role != Role.CITIZEN and not municipality_slug:
        raise InvalidInput.on(
            "municipality", Message("The role %(role)s needs a municipality.", role=role)
        )
    if district_slug and not municipality_slug:
        raise InvalidInput.on("district", Message("A district needs its municipality."))
    if municipality_slug:
        municipality = await municipality_by_slug(municipality_slug)
        if municipality is None:
            raise InvalidInput.on(
                "municipality", Message("Unknown municipality %(slug)r.", slug=municipality_slug)
            )
    if municipality is not None and district_slug:
        district = await district_by_slug(municipality.id, district_slug)
        if district is None:
            raise InvalidInput.on(
                "district", Message("Unknown district %(slug)r.", slug=district_slug)
            )
    async with unit.atomic() as u:
        user = await User.get_or_none(email=address, using_db=u.conn)
        if user is None:
            user = await User.create(
                email=address, display_name=display_name or _default_name(), using_db=u.conn
            )
        elif display_name:
            user.display_name = display_name
        if verified:
            user.email_verified = True
        await user.save(using_db=u.conn)
        # A role waiting on the address is for whoever proves it, never an unproven row.
        if user.email_verified:
            await apply_pending_roles(u, user.id, address)
        if municipality is not None:
            membership_role = role or Role.CITIZEN
            exists = (
                await Membership.filter(
                    user_id=user.id, municipality_id=municipality.id, role=membership_role
                )
                .using_db(u.conn)
                .exists()
            )
            if not exists:
                await Membership.create(
                    user_id=user.id,
                    municipality_id=municipality.id,
                    role=membership_role,
                    using_db=u.conn,
                )
            if declare:
                await declarations.move_residence(
                    u.conn,
                    user.id,
                    municipality.id,
                    district.id if district else None,
                    ResidenceSource.DECLARED,
                )
    return user


async def suspend_user(email: str, suspended: bool = True) -> User:
    """For operators: a suspended person is refused everywhere, at once, until lifted.

    Their sessions end, so even a browser holding a fresh access token is signed out.
    Raises InvalidInput (`email` of nobody).
    """
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise InvalidInput.on("email", Message("Nobody has an account with this email address."))
    now = clock.now()
    async with unit.atomic() as u:
        await (
            User.filter(id=user.id).using_db(u.conn).update(suspended_at=now if suspended else None)
        )
        if suspended:
            await (
                Session.filter(user_id=user.id, revoked_at=None)
                .using_db(u.conn)
                .update(revoked_at=now)
            )
    return await User.get(id=user.id)
