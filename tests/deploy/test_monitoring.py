"""The operator's files under deploy/: alert rules pass promtool, and every DTTools metric the
alerts and the Grafana dashboard query is one the server exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import http_api.app  # noqa: F401  # imports every module that declares a metric
from tests.support.node import IN_CI

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "dttools-dashboard.json"
_SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if IN_CI:
            pytest.fail("promtool is required in CI (apt-get install prometheus)")
        pytest.skip("promtool is not installed")
    return found


def _exposed() -> set[str]:
    """Every series name the server's registry can expose."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES)
    return names


def _queries() -> dict[str, str]:
    """Every PromQL expression of the alert rules and the dashboard, by where it is."""
    found = {}
    for group in yaml.safe_load(ALERTS.read_text())["groups"]:
        for rule in group["rules"]:
            found[f"alert {rule['alert']}"] = rule["expr"]
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']} {target['refId']}"] = target["expr"]
    return found


def test_alert_rules_pass_promtool_and_their_unit_tests() -> None:
    promtool = _promtool()
    for command in (["check", "rules", ALERTS.name], ["test", "rules", "alerts.test.yml"]):
        done = subprocess.run(
            [promtool, *command], cwd=ALERTS.parent, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_metric_queried_is_one_the_server_exposes() -> None:
    exposed = _exposed()
    queries = _queries()
    assert len(queries) > 20
    for where, expr in queries.items():
        for name in re.findall(r"\bdttools_[a-z0-9_]+", expr):
            assert name in exposed, f"{where}: {name} is not a DTTools metric"


def test_the_dashboard_shows_what_operators_watch() -> None:
    """Rooms, connections, updates, fan-out, commits, bus lag, HTTP, webhooks, exports."""
    text = " ".join(_queries().values())
    for metric in (
        "dttools_rooms_open", "dttools_connections", "dttools_updates_in_total",
        "dttools_fanout_latency_seconds_bucket", "dttools_persist_batch_seconds_bucket",
        "dttools_bus_lag_seconds_bucket", "dttools_http_requests_total",
        "dttools_http_request_duration_seconds_bucket", "dttools_webhook_backlog",
        "dttools_export_jobs",
    ):  # fmt: skip
        assert metric in text, metric
