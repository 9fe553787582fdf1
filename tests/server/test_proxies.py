"""The client's address: X-Forwarded-For counts only through proxies we trust."""

from __future__ import annotations

import pytest
from starlette.requests import HTTPConnection

from server.proxies import client_address, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 2001:db8:ffff::1")


def _conn(peer: str | None, *forwarded: str) -> HTTPConnection:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope = {"type": "http", "headers": headers, "client": (peer, 1234) if peer else None}
    return HTTPConnection(scope)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("192.0.2.1", [], "192.0.2.1"),
        ("192.0.2.1", ["198.51.100.7"], "192.0.2.1"),
        ("10.0.0.2", ["198.51.100.7"], "198.51.100.7"),
        ("10.0.0.2", ["203.0.113.9, 198.51.100.7, 10.0.0.3"], "198.51.100.7"),
        ("10.0.0.2", ["203.0.113.9", "198.51.100.7"], "198.51.100.7"),
        ("10.0.0.2", ["10.0.0.4, 10.0.0.3"], "10.0.0.4"),
        ("10.0.0.2", [], "10.0.0.2"),
        ("2001:db8::5", [], "2001:db8::/64"),
        ("2001:db8:ffff::1", ["2001:db8:1:2:3:4:5:6"], "2001:db8:1:2::/64"),
        (None, [], "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], expected: str) -> None:
    assert client_address(_conn(peer, *forwarded), PROXIES) == expected


def test_without_trusted_proxies_the_header_never_counts() -> None:
    assert client_address(_conn("127.0.0.1", "198.51.100.7"), ()) == "127.0.0.1"


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert parse_networks("") == ()
    assert [str(n) for n in parse_networks(" 127.0.0.1 , ::1,10.0.0.0/8")] == [
        "127.0.0.1/32",
        "::1/128",
        "10.0.0.0/8",
    ]
    with pytest.raises(ValueError, match="TRUSTED_PROXIES entry 'proxy.local'"):
        parse_networks("10.0.0.1, proxy.local")
