"""Restore points on two nodes sharing PostgreSQL and Redis: a restore asked of one node
reaches the people connected to the other, live, and a note locked on one node is refused on
the other."""

from __future__ import annotations

from pycrdt import Map

from collab.codec import decode
from collab.messages import ServerNotice
from tests.integration.test_brainstorm_multinode import TwoNodes, ideas_on_board, nodes
from tests.support.yclient import YClient

__all__ = ["nodes"]  # the fixture, shared with the brainstorm tests


def texts(client: YClient) -> dict[str, str]:
    board = client.doc.get("ideas", type=Map)
    return {key: str(value.get("text")) for key, value in board.items() if isinstance(value, Map)}


async def test_a_restore_on_one_node_reaches_clients_of_the_other(nodes: TwoNodes) -> None:
    [kept] = await ideas_on_board(nodes, 1)
    versions = f"/v1/projects/{nodes.project}/versions"
    point = await nodes.a.call("POST", versions, nodes.owner, json={"name": "one idea"})
    assert point.status == 201, point.body
    on_a = await nodes.live(nodes.a, nodes.member, str(nodes.project))
    on_b = await nodes.live(nodes.b, nodes.owner, str(nodes.project))
    try:
        await on_a.edit(lambda doc: doc.get("ideas", type=Map)[kept].__setitem__("text", "changed"))
        await on_b.wait_for(lambda: texts(on_b).get(kept) == "changed")
        restored = await nodes.b.call("POST", f"{versions}/{point.body['id']}/restore", nodes.owner)
        assert restored.status == 200, restored.body
        await on_a.wait_for(lambda: texts(on_a) == {kept: "idea 0"})
        await on_b.wait_for(lambda: texts(on_b) == {kept: "idea 0"})
        assert not on_a.closed.is_set()
    finally:
        await on_a.close()
        await on_b.close()


async def test_a_note_locked_through_one_node_is_refused_on_the_other(nodes: TwoNodes) -> None:
    pinned, free = await ideas_on_board(nodes, 2)
    started = await nodes.call(nodes.a, nodes.owner, "POST", json={"prompt": "Lock?"})
    sid = started.body["id"]
    member_on_b = await nodes.live(nodes.b, nodes.member, str(nodes.project))
    owner_on_a = await nodes.live(nodes.a, nodes.owner, str(nodes.project))
    try:
        locked = await nodes.call(
            nodes.a, nodes.owner, "POST", f"/{sid}/notes/lock", {"idea_ids": [pinned]}
        )
        assert locked.status == 200, locked.body
        await member_on_b.edit(
            lambda doc: doc.get("ideas", type=Map)[free].__setitem__("text", "free edit")
        )
        await owner_on_a.wait_for(lambda: texts(owner_on_a).get(free) == "free edit")
        await member_on_b.edit(
            lambda doc: doc.get("ideas", type=Map)[pinned].__setitem__("text", "hijacked")
        )
        # The refusal is answered on node B; nothing reaches node A.
        await member_on_b.wait_for(
            lambda: any(
                isinstance(message := decode(frame), ServerNotice) and message.code == "note-locked"
                for frame in member_on_b.frames
            )
        )
        # An edit sent after it, through the same node, arrives; the refused one never does.
        fresh = await nodes.live(nodes.b, nodes.member, str(nodes.project))
        try:
            await fresh.edit(
                lambda doc: doc.get("ideas", type=Map)[free].__setitem__("text", "later")
            )
            await owner_on_a.wait_for(lambda: texts(owner_on_a).get(free) == "later")
        finally:
            await fresh.close()
        assert texts(owner_on_a)[pinned] == "idea 0"
        patched = await nodes.b.call(
            "PATCH", f"/v1/ideas/{pinned}", nodes.member, json={"text": "over REST"}
        )
        assert patched.status == 409
    finally:
        await member_on_b.close()
        await owner_on_a.close()
