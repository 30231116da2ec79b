"""The browser app: index.html at /, /reset-password, /verify-email and /join, and files under
/static/."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Final

from aiohttp import web

import collab
from collab.errors import NotFound
from collab.i18n import msg
from http_api.i18n import LOCALES

__all__ = [
    "routes",
    "STATIC_DIR",
    "FONTS_PATH",
    "PAGE_PATHS",
    "content_security_policy",
    "page_languages",
]


def _find_static_dir() -> Path:
    # A source checkout (and `pip install -e`) keeps static/ next to the packages; the Docker
    # image installs the packages into site-packages and copies static/ to the working folder.
    beside = Path(__file__).resolve().parents[1] / "static"
    if (beside / "index.html").is_file():
        return beside
    return Path.cwd() / "static"


STATIC_DIR: Final = _find_static_dir()

#: Paths answered with index.html; the page routes itself from its hash (#/projects, ...).
#: /reset-password and /verify-email are the paths of e-mailed links (``#token=...``), /join
#: that of invite links.
PAGE_PATHS: Final = ("/", "/reset-password", "/verify-email", "/join")

# Only files of these types are served; anything else is 404, whatever is in the folder.
_CONTENT_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
# File names are short, plain and never hidden: no "..", no dotfiles, no backslashes.
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?$")

# Files are not fingerprinted, so browsers revalidate (cheap: Last-Modified / 304) every time.
_STATIC_CACHE = "no-cache"
_COMMON_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

routes = web.RouteTableDef()

#: Where the fonts of the export report are served (the print view loads them from here).
FONTS_PATH: Final = "/fonts/"
# The shipped fonts (collab/fonts): the same files the PDF embeds, so print and PDF match.
_FONTS_DIR: Final = Path(collab.__file__).resolve().parent / "fonts"
_FONT_CACHE: Final = "public, max-age=86400"


def content_security_policy(host: str | None) -> str:
    """The page's CSP: our own scripts and styles only, sockets to this host only.

    ``'self'`` covers ws:/wss: to the same host in current browsers; the explicit ws(s)://host
    sources are for older ones. Avatars are links anywhere on the web, so images may be https.
    """
    sockets = ""
    if host is not None and _HOST.match(host):
        sockets = f" ws://{host} wss://{host}"
    return (
        "default-src 'self'; "
        "script-src 'self'; "
        "style-src 'self'; "
        "img-src 'self' data: https: http:; "
        f"connect-src 'self'{sockets}; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


# index.html names the languages in this meta; the server fills it in (see page_languages).
_LANGUAGES_META: Final = '<meta name="dttools-languages" content="{}" />'
# Each browser catalogue names its language in that language, for the language menu.
_NAME_KEY: Final = "language.name"


def page_languages(static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """The languages the page offers, each named in itself: the server's, in its order.

    The page learns them from the server, not from a list of its own, so that a language is
    added by adding its catalogues (docs/i18n.md). A language whose browser catalogue is
    missing is left out rather than offered and failing to load.
    """
    offered: dict[str, str] = {}
    for tag in LOCALES:
        path = static_dir / "locales" / f"{tag}.json"
        if path.is_file():
            catalogue = json.loads(path.read_text(encoding="utf-8"))
            offered[tag] = str(catalogue.get(_NAME_KEY, tag))
    return offered


def _page(static_dir: Path) -> bytes:
    text = (static_dir / "index.html").read_text(encoding="utf-8")
    languages = html.escape(json.dumps(page_languages(static_dir), ensure_ascii=False))
    filled = _LANGUAGES_META.replace("{}", languages)
    return text.replace(_LANGUAGES_META, filled, 1).encode()


async def _index(request: web.Request) -> web.StreamResponse:
    """The single page; it routes itself from the URL hash."""
    headers = {
        **_COMMON_HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-cache",
        "Content-Security-Policy": content_security_policy(request.host),
        "X-Frame-Options": "DENY",
    }
    path = STATIC_DIR / "index.html"
    if not path.is_file():
        raise NotFound(msg("the browser app is not installed (static/index.html is missing)"))
    # Read at each request (a kilobyte; catalogues are small): an edited catalogue or page
    # shows on the next reload, as the files under /static/ do.
    return web.Response(body=_page(STATIC_DIR), headers=headers)


for _path in PAGE_PATHS:
    routes.get(_path)(_index)


@routes.get("/static/{path:.+}")
async def static_file(request: web.Request) -> web.StreamResponse:
    """A file under static/, by a plain relative path; no listings, no way out of the folder."""
    rel = request.match_info["path"]
    segments = rel.split("/")
    suffix = Path(segments[-1]).suffix.lower()
    if not all(_SEGMENT.match(s) for s in segments) or suffix not in _CONTENT_TYPES:
        raise NotFound(msg("no such file: /static/{path}", path=rel[:200]))
    base = STATIC_DIR.resolve()
    target = (base / Path(*segments)).resolve()
    # Symlinks could still point elsewhere: the resolved file must be inside the folder.
    if not target.is_relative_to(base) or not target.is_file():
        raise NotFound(msg("no such file: /static/{path}", path=rel[:200]))
    headers = {
        **_COMMON_HEADERS,
        "Content-Type": _CONTENT_TYPES[suffix],
        "Cache-Control": _STATIC_CACHE,
    }
    return web.FileResponse(target, headers=headers)


@routes.get(FONTS_PATH + "{name}")
async def font_file(request: web.Request) -> web.StreamResponse:
    """A font of the export report (DejaVu Sans, ``.ttf``), by its plain file name."""
    name = request.match_info["name"]
    target = _FONTS_DIR / name
    if not _SEGMENT.match(name) or not name.endswith(".ttf") or not target.is_file():
        raise NotFound(msg("no such file: /fonts/{path}", path=name[:200]))
    headers = {**_COMMON_HEADERS, "Content-Type": "font/ttf", "Cache-Control": _FONT_CACHE}
    return web.FileResponse(target, headers=headers)
