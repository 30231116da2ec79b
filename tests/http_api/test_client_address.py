"""The client address and scheme behind trusted proxies, and never from anyone else's headers."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from http_api.client_address import client_address, is_https
from http_api.keys import SETTINGS
from http_api.settings import Settings, parse_networks


def _request(remote: str, proxies: str, **headers: str) -> web.Request:
    app = web.Application()
    app[SETTINGS] = Settings(trusted_proxies=proxies)
    return make_mocked_request("GET", "/", headers=headers, app=app).clone(remote=remote)


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    request = _request("203.0.113.9", "", **{"X-Forwarded-For": "1.2.3.4"})
    assert client_address(request) == "203.0.113.9"


def test_untrusted_peer_cannot_choose_its_address() -> None:
    request = _request("203.0.113.9", "10.0.0.0/8", **{"X-Forwarded-For": "1.2.3.4"})
    assert client_address(request) == "203.0.113.9"


def test_trusted_proxy_chain_is_read_right_to_left() -> None:
    # the client wrote "6.6.6.6" itself; 198.51.100.7 is what our first proxy saw
    chain = "6.6.6.6, 198.51.100.7, 10.0.0.3"
    request = _request("10.0.0.2", "10.0.0.0/8", **{"X-Forwarded-For": chain})
    assert client_address(request) == "198.51.100.7"


def test_all_hops_trusted_falls_back_to_the_peer() -> None:
    request = _request("10.0.0.2", "10.0.0.0/8", **{"X-Forwarded-For": "10.0.0.9"})
    assert client_address(request) == "10.0.0.2"


def test_https_only_believed_from_a_trusted_proxy() -> None:
    assert is_https(_request("10.0.0.2", "10.0.0.0/8", **{"X-Forwarded-Proto": "https"}))
    assert not is_https(_request("203.0.113.9", "10.0.0.0/8", **{"X-Forwarded-Proto": "https"}))
    assert not is_https(_request("10.0.0.2", "", **{"X-Forwarded-Proto": "https"}))
    assert not is_https(_request("10.0.0.2", "10.0.0.0/8", **{"X-Forwarded-Proto": "http"}))


def test_bad_network_is_refused() -> None:
    with pytest.raises(ValueError, match="does not appear"):
        parse_networks("10.0.0.0/8, not-an-address")
