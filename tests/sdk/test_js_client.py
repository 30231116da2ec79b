"""The JavaScript client (sdk/js) against a real server: its node:test scripts, and its types.

Each script of ``sdk/js/test`` runs under ``node --test`` with the module's server and a fresh
account in its environment, importing the npm ``yjs``, ``y-websocket`` and ``ws`` pinned in
``tests/package.json``. Webhook signatures are made here, with the Python ``standardwebhooks``
library, and verified there. ``tsc`` type-checks a TypeScript file that uses the client.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from collab.artifacts import KINDS, TEXT_FIELDS
from tests.conftest import IN_CI, RunningServer
from tests.support.api import RegisteredUser
from tests.support.timing import scaled

pytestmark = pytest.mark.shared_server(open_rooms=False)

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk" / "js"
NODE_MODULES = ROOT / "tests" / "node_modules"

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another secret, thirty-two bytes").decode()
EVENT = {
    "id": "3f0c7c1e-1111-4a1a-9c9c-000000000001",
    "type": "idea.created",
    "version": 1,
    "project_id": "3f0c7c1e-2222-4a1a-9c9c-000000000002",
    "created_at": "2026-03-01T10:00:00+00:00",
    "data": {"idea": {"id": "i1", "text": "Kiosk ☕ café"}, "source": "brainstorm"},
}


def _need(tool: Path | str | None, what: str) -> str:
    """``tool`` as a path, or a failure in CI (the suite needs it) and a skip elsewhere."""
    if tool is None or not Path(tool).exists():
        reason = f"{what} is needed (run: cd tests && npm ci)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return str(tool)


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, with the npm packages of tests/ installed."""
    _need(NODE_MODULES / "y-websocket", "tests/node_modules")
    return _need(shutil.which("node"), "node")


async def _run(*command: str, env: dict[str, str] | None = None, timeout_s: float = 90) -> str:
    """Run ``command`` in sdk/js; its output, asserting it succeeded."""
    proc = await asyncio.create_subprocess_exec(
        *command, cwd=SDK, env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with asyncio.timeout(scaled(timeout_s)):
            stdout, _ = await proc.communicate()
    except TimeoutError:
        proc.kill()
        stdout, _ = await proc.communicate()
        pytest.fail(f"{command[-1]} did not finish:\n{stdout.decode()[-8000:]}")
    output = stdout.decode()
    assert proc.returncode == 0, output[-8000:]
    return output


async def _node_test(node: str, script: str, env: dict[str, str]) -> str:
    """Run one node:test script; its spec report (a failure shows it)."""
    path = SDK / "test" / f"{script}.test.mjs"
    env = {"DTTOOLS_NODE_MODULES": str(NODE_MODULES), **env}
    # each test of the script gets 30 s: a hang fails with the report, before pytest's timeout
    command = (node, "--test", "--test-reporter=spec", f"--test-timeout={int(scaled(30) * 1000)}")
    return await _run(*command, str(path), env=env)


def _all_passed(report: str) -> None:
    """The spec report's summary: some tests ran, none failed (the exit code said so too)."""
    assert re.search(r"\bpass [1-9]", report), report[-8000:]
    assert re.search(r"\bfail 0\b", report), report[-8000:]


def _account_env(server: RunningServer, user: RegisteredUser) -> dict[str, str]:
    assert user.access_token is not None
    return {
        "DTTOOLS_URL": server.http_url,
        "DTTOOLS_TOKEN": user.access_token,
        "DTTOOLS_EMAIL": user.email,
        "DTTOOLS_PASSWORD": user.password,
    }


@pytest.mark.parametrize(
    "script",
    [
        pytest.param("rest", id="crud-pagination-errors-idempotency-files-exports"),
        pytest.param("auth", id="sign-in-and-refresh-on-401"),
        pytest.param("live", id="live-document-and-token-refresh"),
    ],
)
async def test_against_the_server(
    node: str, server: RunningServer, user: RegisteredUser, script: str
) -> None:
    """The script's tests pass against the module's server, as a fresh account."""
    report = await _node_test(node, script, _account_env(server, user))
    _all_passed(report)


async def test_text_fields_are_the_servers(node: str) -> None:
    """The JS client's table of Y.Text fields (src/live.js) is the server's, kind by kind."""
    script = "import { TEXT_FIELDS } from './src/live.js'; console.log(JSON.stringify(TEXT_FIELDS))"
    table = json.loads(await _run(node, "--input-type=module", "-e", script, timeout_s=30))
    assert set(table) == set(KINDS)
    assert {root: frozenset(names) for root, names in table.items() if names} == TEXT_FIELDS


async def test_retries_honour_retry_after(node: str) -> None:
    """429/503 against a node:http server of the script's own; waits recorded, not waited."""
    report = await _node_test(node, "retry", {})
    _all_passed(report)


def _signed(
    body: str, *, secret: str = SECRET, at: datetime | None = None, msg_id: str = "msg_1"
) -> dict[str, str]:
    """The headers a Standard Webhooks sender puts on ``body``."""
    moment = at or datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, moment, body),
    }


def _webhook_vectors() -> dict[str, object]:
    body = json.dumps(EVENT, ensure_ascii=False)
    valid = _signed(body)
    # the last character of a 44-character base64 HMAC carries 2 bits: change the 10th
    signature = valid["webhook-signature"]
    flipped = "A" if signature[10] != "A" else "B"
    tampered = signature[:10] + flipped + signature[11:]
    moment = datetime.now(UTC)
    rotated = {
        **_signed(body, at=moment, msg_id="msg_2"),
        "webhook-signature": " ".join(
            _signed(body, secret=s, at=moment, msg_id="msg_2")["webhook-signature"]
            for s in (OTHER_SECRET, SECRET)
        ),
    }
    array = "[1, 2]"
    return {
        "secret": SECRET,
        "other_secret": OTHER_SECRET,
        "valid": {"body": body, "headers": valid},
        "rotated": {"body": body, "headers": rotated},
        "tampered_signature": tampered,
        "old": {"body": body, "headers": _signed(body, at=moment - timedelta(minutes=10))},
        "array": {"body": array, "headers": _signed(array)},
    }


async def test_verify_webhook_against_standardwebhooks(node: str) -> None:
    """Signatures made by the Python library verify in JS; tampered or stale ones do not."""
    env = {"DTTOOLS_WEBHOOK_VECTORS": json.dumps(_webhook_vectors())}
    report = await _node_test(node, "webhooks", env)
    _all_passed(report)


async def test_typescript_users_get_types(node: str, tmp_path: Path) -> None:
    """``tsc --noEmit`` (strict) accepts sdk/js/test/usage.ts against index.d.ts.

    The packages resolve as a user's would: ``@dttools/client`` through sdk/js/package.json's
    exports, ``yjs`` and ``y-websocket`` (peer dependencies) from tests/node_modules.
    """
    tsc = _need(NODE_MODULES / ".bin" / "tsc", "tests/node_modules/.bin/tsc")
    compiler: dict[str, object] = {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",
        "lib": ["es2023", "dom", "dom.iterable"],
        "types": [],
        "skipLibCheck": False,
        "paths": {
            "@dttools/client": [str(SDK)],
            "@dttools/client/*": [f"{SDK}/*"],
            "yjs": [str(NODE_MODULES / "yjs")],
            "y-websocket": [str(NODE_MODULES / "y-websocket")],
        },
    }
    config = {"compilerOptions": compiler, "files": [str(SDK / "test" / "usage.ts")]}
    tsconfig = tmp_path / "tsconfig.json"
    tsconfig.write_text(json.dumps(config))
    await _run(tsc, "--noEmit", "-p", str(tsconfig), timeout_s=180)
    # the modules' own JSDoc types hold too (strict), without Node's types: browser-safe
    options = {**compiler, "allowJs": True, "checkJs": True}
    sources = [str(SDK / "index.js")]
    tsconfig.write_text(json.dumps({"compilerOptions": options, "files": sources}))
    await _run(tsc, "--noEmit", "-p", str(tsconfig), timeout_s=180)
    # and the types do catch mistakes: a wrong field type is an error
    broken = tmp_path / "broken.ts"
    broken.write_text(
        "import { DTTools } from '@dttools/client'\n"
        "const client = new DTTools({ baseUrl: 'http://x' })\n"
        "export const wrong = client.ideas.create('p', { text: 3 })\n"
    )
    tsconfig.write_text(json.dumps({**config, "files": [str(broken)]}))
    proc = await asyncio.create_subprocess_exec(
        tsc, "--noEmit", "-p", str(tsconfig), cwd=SDK,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    async with asyncio.timeout(scaled(180)):
        stdout, _ = await proc.communicate()
    output = stdout.decode()
    assert proc.returncode != 0
    assert "broken.ts(3," in output, output
    assert "error TS2322" in output, output
