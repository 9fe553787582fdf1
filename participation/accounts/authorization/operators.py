"""The deployment's operators: they found municipalities. Only the command line makes one
(`auftrag operator grant EMAIL`), as only it may read the server's own database."""

from __future__ import annotations

from participation import clock
from participation.accounts.identity.commands import ensure_user
from participation.accounts.models import User


async def grant_operator(email: str) -> User:
    """Make `email` an operator, creating the (verified) account if it is new.

    Raises InvalidInput naming `email` for a malformed address.
    """
    user = await ensure_user(email, verified=True)
    if user.operator_since is None:
        user.operator_since = clock.now()
        await user.save(update_fields=["operator_since"])
    return user


async def revoke_operator(email: str) -> User | None:
    """End `email`'s operator role; None when there is no such account."""
    user = await User.get_or_none(email=email.strip().lower())
    if user is not None and user.operator_since is not None:
        user.operator_since = None
        await user.save(update_fields=["operator_since"])
    return user
