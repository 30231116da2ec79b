"""Retry schedule and address policy of webhooks (pure)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.events import ANY_EVENT, EVENT_TYPES, TEST_EVENT
from collab.webhook_policy import (
    RETRY_DELAYS,
    AllowList,
    forbidden_address,
    next_delay,
    parse_allow_list,
)


def test_the_schedule_spans_about_a_day_then_gives_up() -> None:
    assert next_delay(1) == timedelta(seconds=5)
    total = sum((next_delay(n) or timedelta(0) for n in range(1, len(RETRY_DELAYS) + 1)),
                timedelta(0))  # fmt: skip
    assert timedelta(hours=24) < total < timedelta(hours=30)
    assert next_delay(len(RETRY_DELAYS) + 1) is None
    with pytest.raises(ValueError, match="at least 1"):
        next_delay(0)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1",
     "2002:0a00:0001::1", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "::"],
)  # fmt: skip
def test_inward_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946",
                                     "::ffff:93.184.216.34", "64:ff9b::5db8:d822"])  # fmt: skip
def test_public_addresses_are_fine(address: str) -> None:
    assert not forbidden_address(ipaddress.ip_address(address))


def test_the_allow_list_lets_operators_through() -> None:
    allowed = parse_allow_list(" receiver.internal, 10.0.0.0/8 ,127.0.0.1,[::1] ")
    assert allowed.allows_name("Receiver.Internal.")
    assert not allowed.allows_name("other.internal")
    assert not forbidden_address(ipaddress.ip_address("10.9.9.9"), allowed)
    assert not forbidden_address(ipaddress.ip_address("127.0.0.1"), allowed)
    assert not forbidden_address(ipaddress.ip_address("::1"), allowed)
    assert not forbidden_address(ipaddress.ip_address("::ffff:10.1.1.1"), allowed)
    assert forbidden_address(ipaddress.ip_address("192.168.0.1"), allowed)
    assert parse_allow_list("") == AllowList()
    assert parse_allow_list(["example.org"]).allows_name("example.org")


@pytest.mark.parametrize("spec", ["a,,b", "bad host!", "under_score.example"])
def test_bad_allow_lists_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match=r"allowed hosts|not a host"):
        parse_allow_list(spec)


def test_an_empty_entry_in_a_list_is_refused() -> None:
    with pytest.raises(ValueError, match="empty entry"):
        parse_allow_list(["example.org", " "])


@given(st.ip_addresses())
def test_every_address_is_judged_without_error(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    verdict = forbidden_address(address)
    if address.is_loopback or (address.is_private and not address.is_global):
        assert verdict


def test_event_catalogue() -> None:
    assert TEST_EVENT in EVENT_TYPES
    assert ANY_EVENT not in EVENT_TYPES
    assert all(name.count(".") == 1 for name in EVENT_TYPES)
