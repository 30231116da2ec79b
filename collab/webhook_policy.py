"""Webhook delivery rules, pure: when to try again, when to give up, where never to send.

**Retries** follow the Standard Webhooks schedule (docs/webhooks.md): an attempt now, then
after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h again, about 27 hours in all. A delivery
that fails them all is given up, and so is its endpoint: it is disabled until an owner turns
it on again (a receiver gone for a day is not coming back by itself). A ``410 Gone`` answer
disables the endpoint at once, as the specification asks.

**Addresses.** A webhook URL is written by a project owner, so it must not become a way into
the server's own network (SSRF): a request may only go to a public address. Loopback,
private (RFC 1918, unique local), link-local (which holds cloud metadata at 169.254.169.254),
carrier-grade NAT (100.64.0.0/10), multicast, reserved and unspecified addresses are refused,
and so are IPv6 forms that embed an IPv4 address (mapped, 6to4, Teredo, NAT64), judged by the
address inside. The check is made on every resolved address at send time, for every
attempt (DNS may change between two attempts). An operator may allow some hosts anyway
(``DTTOOLS_WEBHOOK_ALLOWED_HOSTS``: names, addresses or CIDR ranges), for receivers on the
same network and for tests.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

__all__ = [
    "RETRY_DELAYS",
    "next_delay",
    "AllowList",
    "parse_allow_list",
    "forbidden_address",
]

#: Delay before each attempt after the first (the first is immediate): 8 attempts in all.
RETRY_DELAYS: Final = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CGNAT: Final = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


def next_delay(attempts: int) -> timedelta | None:
    """How long to wait after ``attempts`` failed attempts; None: give up."""
    if attempts < 1:
        raise ValueError("attempts counts the failed attempts so far: at least 1")
    index = attempts - 1
    return RETRY_DELAYS[index] if index < len(RETRY_DELAYS) else None


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts a webhook may reach even though their addresses are not public."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def allows_name(self, host: str) -> bool:
        """Whether ``host`` (as written in the URL) is allowed by name."""
        return host.lower().rstrip(".") in self.names

    def allows_address(self, address: IPAddress) -> bool:
        """Whether ``address`` lies in an allowed range."""
        return any(address in network for network in self.networks)


def parse_allow_list(spec: str | Iterable[str]) -> AllowList:
    """Read ``DTTOOLS_WEBHOOK_ALLOWED_HOSTS``: comma-separated names, addresses, CIDR ranges.

    Raises:
        ValueError: an entry is empty after a comma or is not a host name, address or range.
    """
    entries = spec.split(",") if isinstance(spec, str) else list(spec)
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = raw.strip().lower().rstrip(".")
        if not entry:
            if isinstance(spec, str) and not spec.strip():
                continue
            raise ValueError("an empty entry in the allowed hosts")
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if not all(part and part.replace("-", "").isalnum() for part in entry.split(".")):
            raise ValueError(f"not a host name, address or CIDR range: {raw.strip()!r}")
        names.add(entry)
    return AllowList(frozenset(names), tuple(networks))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_address(address: IPAddress, allowed: AllowList = AllowList()) -> bool:
    """Whether a webhook must not be sent to ``address`` (see the module's doc)."""
    if allowed.allows_address(address):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return forbidden_address(inner, allowed)
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return True
    return not address.is_global or address.is_multicast
