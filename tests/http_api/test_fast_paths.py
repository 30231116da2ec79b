"""DTTOOLS_FAST_PATHS: the relay's shortcuts into other libraries, switched for measurement."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest
from pycrdt import Array

from collab import ydoc
from http_api import fast_paths, ws_direct, ws_transport
from http_api.keys import ROOMS
from http_api.settings import settings_from
from tests.conftest import StartServer
from tests.support.yclient import YClient, append_item


class TestParse:
    @pytest.mark.parametrize(
        ("value", "names"),
        [
            ("all", set(fast_paths.ALL)),
            ("none", set()),
            ("ws-direct", {"ws-direct"}),
            (" fd-write , ydoc-core ", {"fd-write", "ydoc-core"}),
        ],
    )
    def test_names(self, value: str, names: set[str]) -> None:
        assert fast_paths.parse(value) == names

    def test_an_unknown_name_is_refused_with_the_known_ones(self) -> None:
        with pytest.raises(argparse.ArgumentTypeError, match=r"fd-writes.*use all, none"):
            fast_paths.parse("fd-writes")

    def test_the_setting_defaults_to_all_and_reads_the_environment(self) -> None:
        assert fast_paths.parse(settings_from(None, {}).fast_paths) == set(fast_paths.ALL)
        assert settings_from(None, {"DTTOOLS_FAST_PATHS": "none"}).fast_paths == "none"
        environ = {"DTTOOLS_FAST_PATHS": "ws-direct,fd-write"}
        assert settings_from(None, environ).fast_paths == "fd-write,ws-direct"
        with pytest.raises(ValueError, match="DTTOOLS_FAST_PATHS"):
            settings_from(None, {"DTTOOLS_FAST_PATHS": "turbo"})


@pytest.fixture
def all_off() -> Iterator[None]:
    """Every shortcut off for the test, back on after it (the switches are process-wide)."""
    fast_paths.apply(frozenset())
    try:
        yield
    finally:
        fast_paths.apply(frozenset(fast_paths.ALL))


@pytest.mark.usefixtures("all_off")
async def test_with_every_shortcut_off_the_relay_still_works(
    start_server: StartServer, room: str
) -> None:
    """The public paths behind each shortcut: edits still reach the other client, the log
    and the live document (nothing about correctness may depend on a shortcut)."""
    assert ws_direct.direct_path_lost()
    assert ydoc.CORE_TRANSACTIONS is False
    assert ws_transport.writable_fd(None) == -1
    server = await start_server()
    async with (
        await YClient.connect(server.ws_url, room) as writer,
        await YClient.connect(server.ws_url, room) as reader,
    ):
        await writer.wait_synced()
        await reader.wait_synced()
        await writer.edit(append_item("through the public paths"))
        await writer.wait_durable()
        await reader.wait_for(lambda: len(reader.doc.get("items", type=Array)) == 1)
    live = server.app[ROOMS].rooms[room].doc
    assert list(live.get("items", type=Array)) == ["through the public paths"]
