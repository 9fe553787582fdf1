"""Which language a request gets."""

from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from participation.messages import Message
from server.i18n import activate, deactivate, gettext, negotiate


def _connection(accept_language: str, query: str = "", cookie: str = "") -> HTTPConnection:
    headers = [(b"accept-language", accept_language.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return HTTPConnection({"type": "http", "headers": headers, "query_string": query.encode()})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en;q=0.1, de;q=0.9", "de"),
        ("de;q=0.2, en", "en"),
        ("fr, en-GB;q=0.8, de;q=0.7", "en"),
        ("en;q=0, de;q=0.5", "de"),
        ("en;q=0", "de"),
        ("en-US,en;q=0.9", "en"),
        ("fr, *;q=0.5", "de"),
        ("en;q=bogus, de", "de"),
        ("", "de"),
    ],
)
def test_accept_language_follows_its_q_values(header: str, expected: str) -> None:
    assert negotiate(_connection(header)) == expected


def test_an_explicit_choice_wins_over_the_header() -> None:
    assert negotiate(_connection("de", query="lang=en")) == "en"
    assert negotiate(_connection("en", cookie="lang=de")) == "de"


def test_a_domain_message_is_looked_up_by_its_id_and_then_filled_in() -> None:
    message = Message("Title must be at most %(max)s characters.", max=120)
    token = activate("de")
    try:
        assert gettext(message) == "Der Titel darf höchstens 120 Zeichen lang sein."
    finally:
        deactivate(token)
    token = activate("en")
    try:
        assert gettext(message) == "Title must be at most 120 characters."
    finally:
        deactivate(token)
