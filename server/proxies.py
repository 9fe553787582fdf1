"""Who is really asking: the client's address, seen through the proxies we trust.

`X-Forwarded-For` is a header anyone can send, so it counts only when the connection
comes from a proxy named in TRUSTED_PROXIES; then the address is the last one in the
header that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


def parse_networks(value: str) -> tuple[Network, ...]:
    """Addresses or networks separated by commas, such as `10.0.0.0/8, ::1`."""
    networks = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES entry {entry!r} is not an address or network"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(text: str, proxies: Iterable[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


def client_address(conn: HTTPConnection, proxies: tuple[Network, ...]) -> str:
    """The client's address; an IPv6 client stands for its /64, which one host often holds."""
    peer = conn.client.host if conn.client else UNKNOWN
    if proxies and _trusted(peer, proxies):
        hops = ",".join(conn.headers.getlist("x-forwarded-for")).split(",")
        for hop in reversed([h.strip() for h in hops if h.strip()]):
            peer = hop
            if not _trusted(hop, proxies):
                break
    address = _address(peer)
    if address is None:
        return peer[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
