"""The vendored browser code in static/vendor/ matches its pins and rebuilds byte for byte.

`scripts/vendor/build.sh` bundles yjs, y-websocket, y-protocols and lib0 from the exact versions
in `scripts/vendor/package-lock.json` (docs/vendor.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
SCRIPTS = ROOT / "scripts" / "vendor"
#: The packages the app imports from the bundle; each is pinned in scripts/vendor/package.json.
PINNED = ("yjs", "y-websocket", "y-protocols", "lib0")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _versions() -> dict[str, Any]:
    versions: dict[str, Any] = _json(VENDOR / "VERSIONS.json")
    return versions


def _bundle() -> Path:
    name: str = _versions()["bundle"]
    return VENDOR / name


def _locked(lockfile: Path, name: str) -> str:
    version: str = _json(lockfile)["packages"][f"node_modules/{name}"]["version"]
    return version


def _tool(name: str) -> str:
    binary = shutil.which(name)
    if binary is None:
        reason = f"{name} is needed to build or load the vendored bundle"
        if IN_CI:
            pytest.fail(f"{reason} in CI")
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary (a failure in CI, a skip elsewhere)."""
    return _tool("node")


@pytest.fixture(scope="module")
def npm() -> str:
    """The npm binary (a failure in CI, a skip elsewhere)."""
    _tool("node")
    return _tool("npm")


class TestCommittedFiles:
    def test_versions_are_the_locked_ones(self) -> None:
        """VERSIONS.json lists exactly the package-lock.json versions, pinned exactly."""
        versions = _versions()
        lockfile = SCRIPTS / "package-lock.json"
        pins = _json(SCRIPTS / "package.json")
        assert set(PINNED) <= set(versions["packages"])
        for name, version in versions["packages"].items():
            assert _locked(lockfile, name) == version, name
        for name in PINNED:
            assert pins["dependencies"][name] == versions["packages"][name], name
        assert pins["devDependencies"]["esbuild"] == versions["built_with"]["esbuild"]
        assert _locked(lockfile, "esbuild") == versions["built_with"]["esbuild"]
        for pin in [*pins["dependencies"].values(), *pins["devDependencies"].values()]:
            assert re.fullmatch(r"\d+\.\d+\.\d+", pin), pin

    def test_versions_are_the_ones_the_interop_tests_use(self) -> None:
        """The browser runs the same npm client code the interop suite tests against."""
        packages = _versions()["packages"]
        for name in PINNED:
            assert _locked(ROOT / "tests" / "package-lock.json", name) == packages[name], name

    def test_bundle_matches_its_hash_and_name(self) -> None:
        """The bundle is the one VERSIONS.json describes, with no stale bundle beside it."""
        versions = _versions()
        data = _bundle().read_bytes()
        assert hashlib.sha256(data).hexdigest() == versions["sha256"]
        assert len(data) == versions["bytes"]
        assert versions["bundle"] == f"yjs-{versions['packages']['yjs']}.bundle.js"
        assert sorted(p.name for p in VENDOR.glob("yjs-*.bundle.js")) == [versions["bundle"]]

    def test_bundle_holds_one_copy_of_each_package(self) -> None:
        """No nested node_modules: two copies of yjs would break its instanceof checks."""
        text = _bundle().read_text(encoding="utf-8")
        sources = re.findall(r"^// (node_modules/\S+)$", text, re.M)
        assert sources
        assert all(source.count("node_modules/") == 1 for source in sources), sources
        packages = {source.split("/")[1] for source in sources}
        assert packages == set(_versions()["packages"])

    def test_every_package_has_its_licence(self) -> None:
        """LICENSES.md and the served bundle both carry every bundled package's licence."""
        licences = (VENDOR / "LICENSES.md").read_text(encoding="utf-8")
        text = _bundle().read_text(encoding="utf-8")
        for name, version in _versions()["packages"].items():
            assert f"\n## {name} {version}\n" in licences, name
            assert f"\n// {name} {version}:\n" in text, name
        assert licences.count("Permission is hereby granted") == len(_versions()["packages"])


def test_rebuild_is_byte_identical(npm: str, tmp_path: Path) -> None:
    """Running scripts/vendor/build.sh from a clean copy reproduces static/vendor/ exactly."""
    work = tmp_path / "vendor"
    shutil.copytree(SCRIPTS, work, ignore=shutil.ignore_patterns("node_modules"))
    out = tmp_path / "out"
    env = {**os.environ, "npm_config_update_notifier": "false"}
    result = subprocess.run(
        ["bash", str(work / "build.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=110,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    built = sorted(p.name for p in out.iterdir())
    committed = sorted(p.name for p in VENDOR.iterdir() if p.name in built)
    assert built == committed
    for name in built:
        assert (out / name).read_bytes() == (VENDOR / name).read_bytes(), (
            f"static/vendor/{name} differs from a fresh build: run scripts/vendor/build.sh"
        )


_SMOKE = """
import { Y, WebsocketProvider, awarenessProtocol, encoding, decoding } from %(url)s

const doc = new Y.Doc()
const text = doc.getText('t')
const undo = new Y.UndoManager(text, { captureTimeout: 0 })
text.insert(0, 'hello')
text.insert(5, ' world')
const before = text.toString()
undo.undo()
const undone = text.toString()
undo.redo()

const copy = new Y.Doc()
Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))

const encoder = encoding.createEncoder()
encoding.writeVarUint(encoder, 300)
encoding.writeVarString(encoder, 'héllo')
const decoder = decoding.createDecoder(encoding.toUint8Array(encoder))

const awareness = new awarenessProtocol.Awareness(doc)
awareness.setLocalState({ user: 'x' })
const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID])
awareness.destroy()

console.log(JSON.stringify({
  before, undone, redone: text.toString(), copy: copy.getText('t').toString(),
  varuint: decoding.readVarUint(decoder), varstring: decoding.readVarString(decoder),
  awareness: update.length > 0, provider: typeof WebsocketProvider,
}))
"""


def test_bundle_loads_in_node(node: str) -> None:
    """The bundle imports as an ES module; a Doc, an UndoManager and lib0 coding work."""
    script = _SMOKE % {"url": json.dumps(_bundle().as_uri())}
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "before": "hello world",
        "undone": "hello",
        "redone": "hello world",
        "copy": "hello world",
        "varuint": 300,
        "varstring": "héllo",
        "awareness": True,
        "provider": "function",
    }
