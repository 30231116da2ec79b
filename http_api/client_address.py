"""Who is really on the other end: the client address and scheme behind trusted proxies.

Behind nginx or a load balancer every request comes from the proxy's address, so limits keyed
by address would put a whole conference room (or the whole Internet) in one bucket, and
``request.secure`` would say plain HTTP while the browser talks HTTPS. ``X-Forwarded-For`` and
``X-Forwarded-Proto`` fix that, but only when they come from a proxy we run: anyone else can
write those headers. ``DTTOOLS_TRUSTED_PROXIES`` lists the proxies' networks; headers from any
other peer are ignored.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

from http_api.keys import SETTINGS
from http_api.settings import Network, parse_networks

__all__ = ["client_address", "is_https"]


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _networks(request: web.Request) -> tuple[Network, ...]:
    return parse_networks(request.app[SETTINGS].trusted_proxies)


def client_address(request: web.Request) -> str:
    """The client's address: the peer, or the nearest untrusted hop of ``X-Forwarded-For``.

    The header is read right to left (each proxy appends the address it saw), skipping our own
    proxies, so a client cannot choose its address by sending the header itself.
    """
    peer = request.remote or "unknown"
    networks = _networks(request)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, networks):
            return hop
    return peer


def is_https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through a trusted proxy)."""
    if request.secure:
        return True
    networks = _networks(request)
    if not networks or not _trusted(request.remote or "", networks):
        return False
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return proto == "https"
