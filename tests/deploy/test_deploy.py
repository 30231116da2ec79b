"""Deployment files stay honest: nginx -t, YAML structure, and the image's command as a process.

Docker cannot run here, so each file is checked for what can be checked: nginx parses and tests
its configuration, Compose and Kubernetes files parse and wire the documented settings, and the
Dockerfile's command (with its environment) serves /healthz as a plain process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from http_api.settings import parse_networks
from tests.support.nginx import DEPLOY, nginx_binary, nginx_prefix
from tests.support.timing import TIMEOUT

ROOT = Path(__file__).resolve().parent.parent.parent


class TestNginx:
    def test_config_passes_nginx_t(self, tmp_path: Path) -> None:
        """`nginx -t` accepts deploy/nginx.conf (with a local upstream list)."""
        prefix = nginx_prefix(tmp_path, ["127.0.0.1:9001", "127.0.0.1:9002"])
        result = subprocess.run(
            [nginx_binary(), "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
             "-g", f"pid {prefix}/nginx.pid;"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "test is successful" in result.stderr

    def test_config_hashes_on_the_room_and_upgrades_websockets(self) -> None:
        """The upstream hashes consistently on the room and proxies the WebSocket upgrade."""
        text = (DEPLOY / "nginx.conf").read_text()
        assert "hash $dttools_room consistent;" in text
        assert re.search(r"~\^/collab/\(\[\^/\]\+\) \$1;", text)
        assert "proxy_set_header Upgrade $http_upgrade;" in text
        assert "proxy_set_header Connection $connection_upgrade;" in text
        compose_nodes = (DEPLOY / "dttools-upstreams.conf").read_text()
        assert compose_nodes.count("server dttools-") == 3


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


class TestCompose:
    def test_three_nodes_nginx_postgres_redis(self) -> None:
        """docker-compose.yml runs 3 nodes built from the Dockerfile, nginx, PostgreSQL, Redis."""
        compose = _load(ROOT / "docker-compose.yml")
        services = compose["services"]
        assert {"dttools-1", "dttools-2", "dttools-3", "nginx", "postgres", "redis"} <= set(
            services
        )
        for name in ("dttools-1", "dttools-2", "dttools-3"):
            node = services[name]
            assert node["build"] == "."
            env = node["environment"]
            assert env["DATABASE_URL"].startswith("postgresql://")
            assert env["DATABASE_URL"].endswith("@postgres:5432/dttools")
            assert env["REDIS_URL"] == "redis://redis:6379/0"
            assert env["DTTOOLS_HOST"] == "0.0.0.0"
        mounts = services["nginx"]["volumes"]
        assert any(m.startswith("./deploy/nginx.conf:") for m in mounts)
        assert any(m.startswith("./deploy/dttools-upstreams.conf:") for m in mounts)

    def test_nodes_believe_nginx_about_the_client(self) -> None:
        """The nodes trust the proxy networks, and nginx sends the client's address and
        scheme: sign-in limits see real clients, cookies get Secure behind TLS."""
        compose = _load(ROOT / "docker-compose.yml")
        for name in ("dttools-1", "dttools-2", "dttools-3"):
            proxies = compose["services"][name]["environment"]["DTTOOLS_TRUSTED_PROXIES"]
            assert parse_networks(proxies)
        nginx = (DEPLOY / "nginx.conf").read_text()
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx


class TestKubernetes:
    def _docs(self) -> dict[str, dict[str, Any]]:
        docs = {}
        for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text()):
                docs[doc["kind"]] = doc
        return docs

    def test_manifests_parse_and_fit_together(self) -> None:
        """Deployment, Service, HPA, PDB and Ingress select the same pods and probes are right."""
        docs = self._docs()
        assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                "Ingress", "Secret"} <= set(docs)  # fmt: skip
        deployment = docs["Deployment"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert docs["Service"]["spec"]["selector"].items() <= labels.items()
        assert (
            docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        )
        assert (
            docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"]
            == (deployment["metadata"]["name"])
        )
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        env = {e["name"]: e for e in container["env"]}
        assert "secretKeyRef" in env["DATABASE_URL"]["valueFrom"]
        assert "secretKeyRef" in env["REDIS_URL"]["valueFrom"]
        grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace > int(env["DTTOOLS_SHUTDOWN_TIMEOUT_S"]["value"])
        assert parse_networks(env["DTTOOLS_TRUSTED_PROXIES"]["value"])


class TestImageCommand:
    async def test_dockerfile_command_serves_as_a_plain_process(
        self, database_url: str, tmp_path: Path
    ) -> None:
        """The Dockerfile's CMD, with its ENV, starts a node that answers /healthz."""
        text = (ROOT / "Dockerfile").read_text()
        cmd_line = re.search(r"^CMD (\[.*\])$", text, re.M)
        assert cmd_line is not None
        command = yaml.safe_load(cmd_line[1])
        env_block = re.search(r"^ENV (.*?)(?:\n\n|\nWORKDIR)", text, re.M | re.S)
        assert env_block is not None
        image_env = dict(
            item.split("=", 1) for item in shlex.split(env_block[1].replace("\\\n", " "))
        )
        assert image_env["DTTOOLS_HOST"] == "0.0.0.0"
        env = {
            **os.environ,
            **image_env,
            # Here we listen on loopback only, on a free port, with the test database.
            "DTTOOLS_HOST": "127.0.0.1",
            "DTTOOLS_PORT": "0",
            "DTTOOLS_DATA_DIR": str(tmp_path),
            "DATABASE_URL": database_url,
        }
        executable = Path(sys.executable).with_name(command[0])
        proc = await asyncio.create_subprocess_exec(
            str(executable), *command[1:], env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            assert proc.stderr is not None
            port = None
            async with asyncio.timeout(TIMEOUT * 3):
                async for raw in proc.stderr:
                    with contextlib.suppress(ValueError):
                        record = json.loads(raw)
                        if record.get("event") == "server_started":
                            port = int(record["port"])
                            break
            assert port is not None
            async with aiohttp.ClientSession() as http:
                response = await http.get(f"http://127.0.0.1:{port}/healthz")
                assert response.status == 200
        finally:
            proc.terminate()
            await proc.wait()
