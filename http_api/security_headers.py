"""Headers every response carries: no MIME sniffing, no framing, HSTS over TLS.

They are added in ``on_response_prepare``, just before the headers go out, so they reach every
response the application makes: JSON, problem+json errors, /docs, static files and WebSocket
upgrades, including responses that no handler or middleware shaped. A handler that sets one of
them itself (the browser page's own CSP, /docs' CSP) keeps its value.

* ``X-Content-Type-Options: nosniff``: a JSON body that happens to look like HTML or script is
  never rendered or run as such.
* ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``: no page of ours can be framed by
  another site (clickjacking). The default CSP of responses that are not pages,
  ``default-src 'none'``, also keeps a JSON body opened in a tab from loading anything.
* ``Strict-Transport-Security`` only when the request came over HTTPS (directly, or through a
  trusted proxy, see :mod:`http_api.client_address`): browsers ignore it over plain HTTP, and
  sending it there would wrongly promise that this host serves HTTPS. No ``includeSubDomains``:
  other hosts under the same domain are not ours to commit.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from http_api.client_address import is_https

__all__ = ["add_security_headers", "HSTS", "DEFAULT_CSP"]

#: One year, the value browsers' preload lists expect as a minimum.
HSTS: Final = "max-age=31536000"
DEFAULT_CSP: Final = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_ALWAYS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": DEFAULT_CSP,
    "Referrer-Policy": "no-referrer",
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Fill in the hardening headers the response does not set itself.

    Not on a WebSocket upgrade (101): nothing renders it, and aiohttp keeps the response's
    headers for the socket's whole life (docs/benchmarks.md, "Memory of an idle connection").
    """
    if response.status == 101:
        return
    headers = response.headers
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    if is_https(request):
        headers.setdefault("Strict-Transport-Security", HSTS)
