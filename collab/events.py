"""The events a project produces, by type: what webhooks subscribe to (docs/webhooks.md).

Every event is written to the outbox in the transaction of its change (invariant 7) and has a
stable id derived from what happened, so a receiver can deduplicate. Its envelope is
``{"id", "type", "version", "project_id", "created_at", "data"}``; ``version`` is the
envelope's, raised only for a change a receiver could trip on.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["ENVELOPE_VERSION", "EVENT_TYPES", "ANY_EVENT", "TEST_EVENT"]

#: The version of the envelope every webhook receives.
ENVELOPE_VERSION: Final = 1
#: Subscribes to every type, present and future.
ANY_EVENT: Final = "*"
#: What "send test event" sends (to that one subscription only).
TEST_EVENT: Final = "webhook.test"

#: Every event type and when it happens.
EVENT_TYPES: Final = MappingProxyType(
    {
        "project.created": "a project was created",
        "project.updated": "a project's name, description, phase, language or settings changed",
        "project.completed": "a project moved to its last phase (test) or was archived",
        "project.deleted": "a project was deleted",
        "member.added": "someone joined a project's team",
        "member.removed": "someone left a project's team",
        "persona.created": "a persona was added",
        "persona.updated": "a persona changed (edits in a burst are one event)",
        "persona.deleted": "a persona was deleted",
        "idea.created": "an idea was added to the board (also when a brainstorm reveals it)",
        "idea.updated": "an idea changed (edits in a burst are one event)",
        "idea.deleted": "an idea was deleted",
        "prototype.created": "a prototype was added",
        "prototype.updated": "a prototype changed (edits in a burst are one event)",
        "prototype.deleted": "a prototype was deleted",
        "prototype.tested": "a user test of a prototype got a result",
        "test_result.added": "a user test got a result",
        "test_result.updated": "a user test's result changed (edits in a burst are one event)",
        "test_result.deleted": "a user test's result was deleted",
        "brainstorm.started": "a brainstorm session started",
        "brainstorm.results": "a brainstorm session ended, with its results",
        "export.completed": "an export is ready to download",
        TEST_EVENT: "a test sent from the webhook's settings",
    }
)
