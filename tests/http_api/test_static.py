"""The browser app's files: index.html at its page paths, /static/ files, headers, no way out."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from http_api import static
from tests.conftest import RunningServer

pytestmark = pytest.mark.shared_server

STATIC = Path(__file__).resolve().parents[2] / "static"
BUNDLE = json.loads((STATIC / "vendor" / "VERSIONS.json").read_text())["bundle"]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def raw(server: RunningServer, path: str) -> URL:
    """A URL sent exactly as written (no client-side normalisation of ``..`` or ``%2e``)."""
    return URL(server.http_url + path, encoded=True)


class TestPage:
    @pytest.mark.parametrize("path", static.PAGE_PATHS)
    async def test_index_is_served_at_page_paths(
        self, server: RunningServer, http: aiohttp.ClientSession, path: str
    ) -> None:
        """/ and /reset-password (the e-mailed link) both answer with the app's index.html."""
        async with http.get(server.http_url + path) as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            body = await response.text()
        assert '<script type="module" src="/static/app/main.js"></script>' in body
        assert response.headers["Cache-Control"] == "no-cache"
        # The language menu's list, filled in by the server from the catalogues present.
        meta = re.search(r'<meta name="dttools-languages" content="([^"]*)" />', body)
        assert meta is not None
        assert json.loads(html.unescape(meta.group(1))) == static.page_languages()
        assert set(static.page_languages()) == {"en", "pt-BR"}

    async def test_security_headers(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """The page forbids foreign scripts, styles, frames and sockets, and MIME sniffing."""
        async with http.get(server.http_url + "/") as response:
            headers = response.headers
        directives = (
            p.strip().partition(" ") for p in headers["Content-Security-Policy"].split(";")
        )
        csp = {name: value for name, _, value in directives}
        assert csp["default-src"] == "'self'"
        assert csp["script-src"] == "'self'"
        assert csp["style-src"] == "'self'"
        host = URL(server.http_url).raw_authority
        assert csp["connect-src"] == f"'self' ws://{host} wss://{host}"
        assert csp["frame-ancestors"] == "'none'"
        assert csp["object-src"] == "'none'"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"

    def test_a_strange_host_header_stays_out_of_the_policy(self) -> None:
        """A Host header that is not a plain host[:port] adds no socket source."""
        assert "ws:" not in static.content_security_policy("evil.example; script-src *")
        assert "ws://[::1]:8000" in static.content_security_policy("[::1]:8000")
        assert "ws:" not in static.content_security_policy(None)


class TestFiles:
    @pytest.mark.parametrize(
        ("path", "content_type"),
        [
            ("/static/app/main.js", "text/javascript"),
            ("/static/css/app.css", "text/css"),
            ("/static/favicon.svg", "image/svg+xml"),
            (f"/static/vendor/{BUNDLE}", "text/javascript"),
        ],
    )  # fmt: skip
    async def test_content_types(
        self, server: RunningServer, http: aiohttp.ClientSession, path: str, content_type: str
    ) -> None:
        """ES modules are text/javascript (browsers refuse modules of other types)."""
        async with http.get(server.http_url + path) as response:
            assert response.status == 200
            assert response.content_type == content_type
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Cache-Control"] == "no-cache"
            assert await response.read() == (STATIC / path.removeprefix("/static/")).read_bytes()

    async def test_revalidation_answers_304(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A browser revalidating an unchanged file gets 304 and no body."""
        url = server.http_url + "/static/app/main.js"
        async with http.get(url) as response:
            etag = response.headers["ETag"]
        async with http.get(url, headers={"If-None-Match": etag}) as response:
            assert response.status == 304

    @pytest.mark.parametrize(
        "path",
        [
            "/static/../pyproject.toml",
            "/static/%2e%2e/pyproject.toml",
            "/static/app/..%2f..%2fpyproject.toml",
            "/static/%2e%2e%2fhttp_api%2fapp.py",
            "/static/..%5c..%5cpyproject.toml",
            "/static//etc/passwd",
            "/static/.gitkeep",
            "/static/app/",
            "/static/app",
            "/static/vendor/",
            "/static/index.html/",
            "/static/app/nothing.js",
            "/static/app/main.py",
        ],
    )
    async def test_nothing_outside_or_unlisted_is_served(
        self, server: RunningServer, http: aiohttp.ClientSession, path: str
    ) -> None:
        """Traversal, hidden files, folders (no listings) and unknown types are all 404."""
        async with http.get(raw(server, path), allow_redirects=False) as response:
            body = await response.read()
            assert response.status in {404, 400}, (path, response.status)
            assert b"[project]" not in body
            assert b"root:" not in body

    async def test_a_symlink_out_of_the_folder_is_refused(
        self,
        server: RunningServer,
        http: aiohttp.ClientSession,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A link inside static/ that points outside it is not followed."""
        folder = tmp_path / "static"
        folder.mkdir()
        secret = tmp_path / "secret.txt"
        secret.write_text("secret")
        (folder / "leak.txt").symlink_to(secret)
        (folder / "fine.txt").write_text("fine")
        monkeypatch.setattr(static, "STATIC_DIR", folder)
        async with http.get(server.http_url + "/static/fine.txt") as response:
            assert response.status == 200
        async with http.get(server.http_url + "/static/leak.txt") as response:
            assert response.status == 404


class TestAppSources:
    """Checks on the files themselves: every import resolves, nothing comes from a CDN."""

    MODULES = sorted((STATIC / "app").rglob("*.js"))

    def test_every_relative_import_resolves(self) -> None:
        """Each `import ... from './x.js'` of our modules names a file that exists."""
        assert self.MODULES
        for module in self.MODULES:
            for target in re.findall(r"""(?:from|import)\s+['"]([^'"]+)['"]""", module.read_text()):
                assert target.startswith(("./", "../", "/static/")), (module, target)
                if target.startswith("/static/"):
                    resolved = STATIC / target.removeprefix("/static/")
                else:
                    resolved = (module.parent / target).resolve()
                assert resolved.is_file(), (module, target)

    def test_nothing_is_loaded_from_elsewhere(self) -> None:
        """No script, style or module comes from another origin (the CSP would block it)."""
        for path in [STATIC / "index.html", *self.MODULES, *(STATIC / "css").rglob("*.css")]:
            text = path.read_text()
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
            assert not re.search(r"""(from|import)\s*\(?\s*['"](https?:)?//""", text), path
            assert "@import" not in text, path

    def test_the_vendored_bundle_is_named_once_with_its_version(self) -> None:
        """The app imports the bundle VERSIONS.json names (the preload hint names it too)."""
        assert f"'/static/vendor/{BUNDLE}'" in (STATIC / "app" / "yjs.js").read_text()
        assert f'href="/static/vendor/{BUNDLE}"' in (STATIC / "index.html").read_text()
        importers = [m.name for m in self.MODULES if "/static/vendor/" in m.read_text()]
        assert importers == ["yjs.js"]
