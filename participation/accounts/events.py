"""The accounts area's events, for the outbox's catalogue."""

from __future__ import annotations

from participation.outbox.catalogue import entry

_USER = ("user_id",)
_PASSKEY = ("user_id", "passkey_id")
_CONSENT = ("user_id", "topic", "wording_version")

EVENTS = (
    entry("accounts:user:renamed", "user", _USER, "A person changed her display name."),
    entry("accounts:user:deleted", "user", _USER, "An account was deleted and erased."),
    entry("accounts:passkey:added", "user", _PASSKEY, "A passkey was registered."),
    entry("accounts:passkey:renamed", "user", _PASSKEY, "A passkey got a new name."),
    entry("accounts:passkey:removed", "user", _PASSKEY, "A passkey was removed."),
    entry("accounts:role:granted", "user", ("user_id", "role"), "A role was given here."),
    entry("accounts:role:revoked", "user", ("user_id", "role"), "A role was taken away."),
    entry(
        "accounts:pending_role:invited",
        "pending_role",
        ("pending_role_id", "role"),
        "A role waits on an email address until its first sign-in.",
    ),
    entry(
        "accounts:pending_role:withdrawn",
        "pending_role",
        ("pending_role_id", "role"),
        "A role waiting on an email address was withdrawn.",
    ),
    entry(
        "accounts:residency:verified",
        "user",
        ("user_id", "source"),
        "Residence proven, by an administrator or a service portal.",
    ),
    entry("accounts:consent:granted", "user", _CONSENT, "Consent to a topic was given."),
    entry("accounts:consent:withdrawn", "user", _CONSENT, "Consent to a topic was withdrawn."),
)
