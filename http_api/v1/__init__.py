"""REST API v1: one module per resource, each declaring its endpoints on its own ``Api``."""

from __future__ import annotations

from http_api.endpoint import Api
from http_api.v1 import (
    account,
    artifacts,
    audit,
    auth,
    brainstorm,
    brainstorm_results,
    brainstorm_votes,
    exports,
    file_links,
    files,
    imports,
    invitations,
    invites,
    me_export,
    members,
    oidc,
    projects,
    templates,
    versions,
    webhooks,
)

__all__ = ["v1_api"]


def v1_api() -> Api:
    """Every /v1 endpoint, for http_api/app.py to install and http_api/openapi.py to document."""
    combined = Api()
    modules = (
        auth, oidc, projects, members, invitations, invites, artifacts, files, file_links,
        brainstorm, brainstorm_votes, brainstorm_results, exports, imports, webhooks, audit,
        me_export, account, templates, versions,
    )  # fmt: skip
    for module in modules:
        combined.endpoints.extend(module.api.endpoints)
    return combined
