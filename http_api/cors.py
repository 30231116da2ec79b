"""CORS for /v1: browser apps on other origins may call the REST API; off unless configured.

``DTTOOLS_CORS_ORIGINS`` names the origins (exact ``scheme://host[:port]``, or ``*`` for any).
With none, no response carries a CORS header and browsers keep other sites out, as before.

Cross-origin callers authenticate with ``Authorization: Bearer`` (an access token or an API
key) and nothing else: ``Access-Control-Allow-Credentials`` is never sent. Cookies are the
mechanism of our own page, which is same-origin and guarded against CSRF; were credentials
allowed, a script on an allowed origin could ride a signed-in user's cookies and *read* the
answers to their GETs (which need no CSRF token), and one compromised or mistyped allowed
origin would be as good as our own page. A Bearer token is never attached by the browser on
its own: a page can only send one it was given, so allowing any origin grants no authority by
itself. (Without ``Allow-Credentials`` a browser refuses to expose a response to a request
made with ``credentials: "include"``, and sends no cookies with the default ``same-origin``.)
The echoed origin is therefore safe even with ``*``; it is echoed rather than sent as ``*`` so
that one rule serves both settings, with ``Vary: Origin`` on every /v1 response for caches.

Only /v1 is concerned. The /collab WebSocket checks origins itself (browsers do not apply CORS
to WebSockets), and the pages and static files are same-origin by design.

* A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) from an allowed origin gets
  204 with the methods the path has, the request headers the API reads and a ``Max-Age``; from
  any other origin 403 problem+json. Neither reaches a handler (a path with no route gets
  its usual 404, which fails the preflight).
* Every other /v1 response to an allowed origin gets ``Access-Control-Allow-Origin`` and
  ``Access-Control-Expose-Headers`` (what clients read beyond the safelisted ones). They are
  added in ``on_response_prepare``, so errors, redirects and streamed downloads get them too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp.web_urldispatcher import MatchInfoError

from collab.errors import PermissionDenied
from http_api.i18n import reader_locale
from http_api.problems import PROBLEM_TYPES, problem_response

__all__ = [
    "ALLOW_HEADERS",
    "EXPOSE_HEADERS",
    "MAX_AGE_S",
    "CorsPolicy",
    "parse_origins",
    "middlewares",
    "response_hooks",
]

#: Request headers the API reads (Content-Type beyond the form types needs preflight too).
ALLOW_HEADERS: Final = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "Accept-Language",
)
#: Response headers a cross-origin script may read besides the CORS-safelisted ones.
EXPOSE_HEADERS: Final = (
    "ETag",
    "Location",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "Content-Disposition",
    "Content-Language",
    "Idempotent-Replayed",
)
#: How long a browser may reuse a preflight answer: Chromium's cap. Removing an origin still
#: takes effect at once, since actual responses stop carrying Allow-Origin.
MAX_AGE_S: Final = 7200
_API_PREFIX: Final = "/v1/"
_ANY: Final = "*"
# scheme://host[:port], as browsers serialise an Origin header (no path, no trailing slash).
_ORIGIN = re.compile(r"https?://[a-z0-9.\-\[\]:]+")
_DEFAULT_PORTS: Final = {"http": ":80", "https": ":443"}

ResponseHook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]


def parse_origins(spec: str) -> frozenset[str]:
    """The origins of a comma-separated ``spec``, as browsers write them (empty: CORS off).

    Case is folded and a default port dropped (``HTTPS://App.example.com:443/`` is
    ``https://app.example.com``), since the Origin header is compared exactly.

    Raises:
        ValueError: an entry is not ``*`` nor an http(s) origin without a path.
    """
    origins: set[str] = set()
    for part in spec.split(","):
        entry = part.strip().lower().removesuffix("/")
        if not entry:
            continue
        if entry != _ANY:
            if _ORIGIN.fullmatch(entry) is None:
                raise ValueError(f"not an origin (scheme://host[:port]): {part.strip()!r}")
            scheme = entry.partition("://")[0]
            entry = entry.removesuffix(_DEFAULT_PORTS[scheme])
        origins.add(entry)
    return frozenset(origins)


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """The origins allowed to call /v1 from a browser."""

    origins: frozenset[str]

    @classmethod
    def from_setting(cls, spec: str) -> CorsPolicy | None:
        """The policy of ``DTTOOLS_CORS_ORIGINS``, or None when it names no origin (off)."""
        origins = parse_origins(spec)
        return cls(origins) if origins else None

    def allows(self, origin: str | None) -> bool:
        """Whether a page of ``origin`` may read our answers."""
        return origin is not None and (_ANY in self.origins or origin in self.origins)


def middlewares(policy: CorsPolicy | None) -> list[Middleware]:
    """The preflight middleware when CORS is on; nothing at all when it is off."""
    if policy is None:
        return []

    @web.middleware
    def preflight(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
        """Answer a /v1 preflight; hand anything else on untouched.

        Not a coroutine, like problem_middleware: a WebSocket's handler keeps no frame of it.
        """
        if (
            request.method != "OPTIONS"
            or "Access-Control-Request-Method" not in request.headers
            or not request.path.startswith(_API_PREFIX)
        ):
            return handler(request)
        return _preflight(request, handler, policy)

    return [preflight]


async def _preflight(
    request: web.Request, handler: Handler, policy: CorsPolicy
) -> web.StreamResponse:
    if not policy.allows(request.headers.get("Origin")):
        status, slug, title = PROBLEM_TYPES[PermissionDenied]
        return problem_response(status, slug, title, locale=reader_locale(request))
    methods = _route_methods(request)
    if methods is None:
        return await handler(request)  # no such path: its 404 fails the preflight
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
            "Access-Control-Allow-Headers": ", ".join(ALLOW_HEADERS),
            "Access-Control-Max-Age": str(MAX_AGE_S),
        },
    )


def _route_methods(request: web.Request) -> set[str] | None:
    """The methods the request's path answers to; None if no route has that path.

    No /v1 route takes OPTIONS, so the router has already matched the path to a 405 that
    lists the others. (A route that did take OPTIONS would answer for itself: None too.)
    """
    match_info = request.match_info
    if isinstance(match_info, MatchInfoError):
        error = match_info.http_exception
        if isinstance(error, web.HTTPMethodNotAllowed):
            return error.allowed_methods
    return None


def response_hooks(policy: CorsPolicy | None) -> list[ResponseHook]:
    """The ``on_response_prepare`` hook that labels /v1 responses, when CORS is on."""
    if policy is None:
        return []

    async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
        if response.status == 101 or not request.path.startswith(_API_PREFIX):
            return
        headers = response.headers
        # Whatever the origin (or none): the answer differs by it, and caches must know.
        vary = headers.get("Vary")
        if vary is None:
            headers["Vary"] = "Origin"
        elif "origin" not in (part.strip().lower() for part in vary.split(",")):
            headers["Vary"] = f"{vary}, Origin"
        origin = request.headers.get("Origin")
        if origin is None or not policy.allows(origin):
            return
        headers["Access-Control-Allow-Origin"] = origin
        if "Access-Control-Allow-Methods" not in headers:  # not a preflight answer
            headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSE_HEADERS)

    return [add_cors_headers]
