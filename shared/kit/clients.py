"""Who is on the other end of a request: the direct peer, or the client a trusted
proxy says it forwarded.

`X-Forwarded-For` is only a claim. Anyone can send it, so it is believed only when the connection
comes from a proxy this deployment names (IPP_TRUSTED_PROXIES: IPs or CIDRs, comma-separated), and
then only as far back as the chain stays inside those proxies: each proxy appends the address it
saw, so the right-most address that is not itself a trusted proxy is the first one no trusted proxy
vouches *past*. Everything to its left was written by that client and is ignored. Per-address rate
limits key on what this returns.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # any request-like object with .client, .headers and .url does
    from starlette.requests import HTTPConnection

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(spec: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of IPs and CIDRs; ValueError names an
    entry that is neither."""
    networks = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"not an IP address or CIDR in the trusted proxies: {entry!r}"
            ) from exc
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """An address as a forwarding header or socket gives it (`1.2.3.4`, `1.2.3.4:567`, `[::1]:80`,
    `::1`); an IPv4-mapped IPv6 address is its IPv4 address. None for anything else (`unknown`, a
    host name, junk)."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HTTPConnection, trusted: str | tuple[Network, ...] = "") -> str:
    """The client's address: the direct peer's, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For entry that is not a trusted proxy (the left-most one when all are).
    An entry that is no address stops the walk at the last trusted hop: what lies left of it cannot
    be vouched for. "" when the request has no peer (an in-process call)."""
    networks = trusted_networks(trusted) if isinstance(trusted, str) else trusted
    peer_text = request.client.host if request.client else ""
    peer = parse_address(peer_text)
    if not _trusted(peer, networks):
        return str(peer) if peer is not None else peer_text
    hops = [
        hop
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    found: Address = peer  # type: ignore[assignment]  # a trusted peer is an address
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break
        found = address
        if not _trusted(address, networks):
            break
    return str(found)


def client_scheme(request: HTTPConnection, trusted: str | tuple[Network, ...] = "") -> str:
    """The scheme the client used: the request's own, or "https" when a trusted proxy says
    (X-Forwarded-Proto) that it took the request over TLS. Every value a chain of proxies wrote must
    say https, so a client that writes the header itself never makes a plain-HTTP request pass for
    TLS (at worst it loses HSTS itself)."""
    networks = trusted_networks(trusted) if isinstance(trusted, str) else trusted
    peer = parse_address(request.client.host if request.client else "")
    claimed = [
        value.strip().lower()
        for header in request.headers.getlist("x-forwarded-proto")
        for value in header.split(",")
        if value.strip()
    ]
    if _trusted(peer, networks) and claimed:
        return "https" if all(value == "https" for value in claimed) else "http"
    return request.url.scheme
