"""The SDK covers the whole REST API: every operation of /v1/openapi.json has a method.

A new endpoint on the server fails this test until the SDK wraps it (or this file says why
it does not), so "typed and complete" stays true.
"""

from __future__ import annotations

from typing import Any

from dttools_sdk import DTTools

from http_api.openapi import build_openapi
from http_api.v1 import v1_api

#: operationId -> the SDK method that calls it ("client." is a DTTools instance)
WRAPPED = {
    "list_templates": "client.templates.list",
    "get_template": "client.templates.get",
    "save_template": "client.templates.save",
    "delete_template": "client.templates.delete",
    "create_invite": "client.invites.create",
    "list_invites": "client.invites.list",
    "get_invite": "client.invites.get",
    "revoke_invite": "client.invites.revoke",
    "preview_invite": "client.invites.preview",
    "join_invite": "client.invites.join",
    "login": "DTTools.__aenter__ (email/password)",
    "refresh": "DTTools._refresh (on a 401)",
    "logout": "client.sign_out",
    "me": "client.account.me",
    "update_me": "client.account.update",
    "create_api_key": "client.account.create_api_key",
    "list_api_keys": "client.account.api_keys",
    "get_api_key": "client.account.api_key",
    "revoke_api_key": "client.account.revoke_api_key",
    "export_my_data": "client.account.export_data",
    "get_my_data_export": "client.account.data_export",
    "download_my_data_export": "client.account.download_data_export",
    "delete_me": "client.account.delete",
    "delete_user": "client.account.delete_user",
    "list_projects": "client.projects.list",
    "create_project": "client.projects.create",
    "get_project": "client.projects.get",
    "update_project": "client.projects.replace",
    "patch_project": "client.projects.update",
    "delete_project": "client.projects.delete",
    "project_stats": "client.projects.stats",
    "get_document": "client.projects.document",
    "get_document_violations": "client.projects.violations",
    "list_project_audit": "client.projects.audit",
    "list_audit": "client.audit.list",
    "list_members": "client.members.list",
    "add_members_bulk": "client.members.add_many",
    "list_invitations": "client.invitations.list",
    "list_versions": "client.versions.list",
    "get_version": "client.versions.get",
    "create_version": "client.versions.create",
    "restore_version": "client.versions.restore",
    "get_invitation": "client.invitations.get",
    "cancel_invitation": "client.invitations.cancel",
    "add_member": "client.members.add",
    "change_member_role": "client.members.change_role",
    "remove_member": "client.members.remove",
    "list_test_results_of_test": "client.tests.results",
    "add_test_result": "client.tests.add_result",
    "upload_file": "client.files.upload",
    "list_files": "client.files.list",
    "get_file": "client.files.get",
    "delete_file": "client.files.delete",
    "get_file_content": "client.files.download",
    "get_file_thumbnail": "client.files.thumbnail",
    "upload_avatar": "client.files.upload_avatar",
    "attach_prototype_file": "client.files.attach_to_prototype",
    "start_export": "client.exports.start",
    "get_export": "client.exports.get",
    "list_exports": "client.exports.list",
    "download_export": "client.exports.download",
    "import_archive": "client.exports.import_archive",
    "start_brainstorm": "client.brainstorms.start",
    "list_brainstorms": "client.brainstorms.list",
    "get_brainstorm": "client.brainstorms.get",
    "pause_brainstorm": "client.brainstorms.pause",
    "resume_brainstorm": "client.brainstorms.resume",
    "extend_brainstorm": "client.brainstorms.extend",
    "change_brainstorm_phase": "client.brainstorms.change_phase",
    "reveal_brainstorm_tallies": "client.brainstorms.reveal_tallies",
    "summon_brainstorm": "client.brainstorms.summon",
    "end_brainstorm": "client.brainstorms.end",
    "change_brainstorm_rules": "client.brainstorms.change_rules",
    "lock_brainstorm_board": "client.brainstorms.lock_board",
    "unlock_brainstorm_board": "client.brainstorms.unlock_board",
    "lock_brainstorm_notes": "client.brainstorms.lock_notes",
    "unlock_brainstorm_notes": "client.brainstorms.unlock_notes",
    "add_brainstorm_facilitator": "client.brainstorms.add_facilitator",
    "remove_brainstorm_facilitator": "client.brainstorms.remove_facilitator",
    "cast_brainstorm_vote": "client.brainstorms.vote",
    "my_brainstorm_votes": "client.brainstorms.votes",
    "retract_brainstorm_vote": "client.brainstorms.retract_vote",
    "brainstorm_results": "client.brainstorms.results",
    # each under /v1/webhooks and /v1/projects/{id}/webhooks (project_id=None or an id)
    "create_webhook": "client.webhooks.create",
    "list_webhooks": "client.webhooks.list",
    "get_webhook": "client.webhooks.get",
    "update_webhook": "client.webhooks.update",
    "delete_webhook": "client.webhooks.delete",
    "send_test": "client.webhooks.send_test",
    "list_deliveries": "client.webhooks.deliveries",
    "replay_delivery": "client.webhooks.replay",
    "replay_failed": "client.webhooks.replay_failed",
    "create_webhook_global": "client.webhooks.create",
    "list_webhooks_global": "client.webhooks.list",
    "get_webhook_global": "client.webhooks.get",
    "update_webhook_global": "client.webhooks.update",
    "delete_webhook_global": "client.webhooks.delete",
    "send_test_global": "client.webhooks.send_test",
    "list_deliveries_global": "client.webhooks.deliveries",
    "replay_delivery_global": "client.webhooks.replay",
    "replay_failed_global": "client.webhooks.replay_failed",
}

#: the five operations of every artifact kind, generated on the server from one registry
ARTIFACTS = {
    "personas": ("persona", "personas"),
    "empathy_maps": ("empathyMap", "empathyMaps"),
    "pov_statements": ("povStatement", "povStatements"),
    "hmw_questions": ("hmwQuestion", "hmwQuestions"),
    "ideas": ("idea", "ideas"),
    "prototypes": ("prototype", "prototypes"),
    "tests": ("userTest", "tests"),
    "test_results": ("userTestResult", "testResults"),
}

#: operations the SDK leaves out on purpose, and why
NOT_WRAPPED = {
    "register": "sign-up finishes from an e-mailed link, in a browser",
    "verify_email": "the e-mailed link's page does it",
    "forgot_password": "the reset flow is e-mail and browser",
    "reset_password": "the reset flow is e-mail and browser",
    "print_view": "an HTML page for the browser's Print command (exports give the PDF)",
    "oidc_providers": "the sign-in page's buttons; integrators sign in with API keys",
    "oidc_login": "OpenID Connect sign-in is a browser redirect flow",
    "oidc_callback": "OpenID Connect sign-in is a browser redirect flow",
}


def _operations() -> set[str]:
    spec: dict[str, Any] = build_openapi(v1_api(), version="test")
    return {op["operationId"] for ops in spec["paths"].values() for op in ops.values()}


def _artifact_operations() -> dict[str, str]:
    wrapped = {}
    for attribute, (noun, plural) in ARTIFACTS.items():
        wrapped[f"list_{plural}"] = f"client.{attribute}.list"
        for verb, method in (("create", "create"), ("get", "get"), ("patch", "update")):
            wrapped[f"{verb}_{noun}"] = f"client.{attribute}.{method}"
        wrapped[f"delete_{noun}"] = f"client.{attribute}.delete"
    return wrapped


def _deprecated_artifact_puts() -> dict[str, str]:
    """Artifact PUT is a deprecated alias of PATCH (docs/api.md, "PATCH and PUT")."""
    return {f"update_{noun}": "deprecated: PATCH does the same" for noun, _ in ARTIFACTS.values()}


def test_every_operation_is_wrapped_or_excused() -> None:
    """The server's operations are exactly the wrapped ones plus the excused ones."""
    covered = {**WRAPPED, **_artifact_operations()}
    excused = NOT_WRAPPED.keys() | _deprecated_artifact_puts().keys()
    assert _operations() == covered.keys() | excused


def test_every_named_method_exists() -> None:
    """Each method named in the table is a real callable of the client."""
    client = DTTools("http://127.0.0.1:1", token="unused")
    for target in {**WRAPPED, **_artifact_operations()}.values():
        path = target.split(" ")[0].split(".")
        obj: object = client if path[0] == "client" else DTTools
        for name in path[1:]:
            obj = getattr(obj, name)
        assert callable(obj), target
