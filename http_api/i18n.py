"""What a person reads, in their language: the server's catalogues and the reader's language.

Texts are raised in English as :class:`collab.i18n.Text` (template + parameters); here they
are said in the reader's language: the template is looked up in that language's catalogue
(``http_api/locales/<tag>.json``, English template -> translated template, the same
``{name}`` placeholders) and formatted with the same parameters. English needs no catalogue.
A text without a translation (or a plain ``str``) stays English rather than failing: the
catalogue test keeps that from happening unnoticed.

The reader's language is the ``Accept-Language`` header's best supported language (the
browser sends its interface language on every call, so answers match the page), else the
signed-in account's ``locale`` when the request was authenticated before it failed, else
English.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Final, TypeVar

from aiohttp import web

from collab.i18n import DEFAULT_LOCALE, LOCALES, Locale, Text, negotiate

__all__ = [
    "CATALOGUES",
    "translate",
    "reader_locale",
    "remember_account_locale",
    "localised",
]


def _load() -> dict[str, dict[str, str]]:
    folder = resources.files("http_api") / "locales"
    catalogues: dict[str, dict[str, str]] = {}
    for tag in LOCALES:
        if tag != DEFAULT_LOCALE:
            text = (folder / f"{tag}.json").read_text(encoding="utf-8")
            catalogues[tag] = dict(json.loads(text))
    return catalogues


#: language -> English template -> that language's template (none for English).
CATALOGUES: Final[dict[str, dict[str, str]]] = _load()
R = TypeVar("R", bound=web.StreamResponse)
# Where the endpoint layer leaves the authenticated account's language for the error renderer.
_ACCOUNT_LOCALE: Final = web.RequestKey("account_locale", str)


def translate(text: str, locale: str) -> str:
    """``text`` in ``locale``: its template translated and formatted, nested Texts too."""
    if not isinstance(text, Text) or locale == DEFAULT_LOCALE:
        return str(text)
    template = CATALOGUES.get(locale, {}).get(text.template)
    if template is None:
        return str(text)
    params = {
        name: translate(value, locale) if isinstance(value, Text) else value
        for name, value in text.params.items()
    }
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):  # a parameter the English did not need
        return str(text)


def remember_account_locale(request: web.Request, locale: str) -> None:
    """Note the authenticated caller's language, for answers that fail after this point."""
    request[_ACCOUNT_LOCALE] = locale


def reader_locale(request: web.Request) -> Locale:
    """The language to answer ``request`` in (see the module's doc for the order)."""
    asked = negotiate(request.headers.get("Accept-Language"))
    if asked is not None:
        return asked
    account = request.get(_ACCOUNT_LOCALE)
    for tag in LOCALES:
        if account == tag:
            return tag
    return DEFAULT_LOCALE


def localised(response: R, locale: str) -> R:
    """Label a response whose text is in ``locale``; caches keep one copy per language."""
    response.headers["Content-Language"] = locale
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
    return response
