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

The languages are the catalogues: English (the source) and one per file in
``http_api/locales/``. Each must also have the browser's catalogue
(``static/locales/<tag>.json``; tests/http_api/test_i18n.py checks both sets agree), so
adding a language adds files and no code (docs/i18n.md).
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.abc import Traversable
from typing import Annotated, Final, TypeVar

from aiohttp import web
from pydantic import AfterValidator, WithJsonSchema

from collab.i18n import DEFAULT_LOCALE, LOCALE_TAG, Text, negotiate

__all__ = [
    "CATALOGUES",
    "LOCALES",
    "LocaleTag",
    "load_catalogues",
    "supported",
    "translate",
    "as_sentence",
    "reader_locale",
    "remember_account_locale",
    "localised",
]


def load_catalogues(folder: Traversable) -> dict[str, dict[str, str]]:
    """Every catalogue in ``folder``: language tag (the file's name) -> its templates."""
    catalogues: dict[str, dict[str, str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        tag, dot, extension = entry.name.partition(".")
        if extension != "json" or not dot:
            continue
        if not LOCALE_TAG.fullmatch(tag) or tag == DEFAULT_LOCALE:
            raise ValueError(f"{entry.name}: not a catalogue name (a BCP 47 tag, not English)")
        catalogues[tag] = dict(json.loads(entry.read_text(encoding="utf-8")))
    return catalogues


#: language -> English template -> that language's template (none for English).
CATALOGUES: Final[dict[str, dict[str, str]]] = load_catalogues(
    resources.files("http_api") / "locales"
)
#: Every language we speak: English first (the default), then the catalogues' in name order.
LOCALES: Final[tuple[str, ...]] = (DEFAULT_LOCALE, *CATALOGUES)


def supported(tag: str) -> str:
    """``tag`` if it is one of LOCALES (exactly so spelled); a ValueError says which are."""
    if tag not in LOCALES:
        raise ValueError(f"must be one of {', '.join(LOCALES)}")
    return tag


#: A request field naming one of LOCALES; OpenAPI lists them as an enum.
LocaleTag = Annotated[
    str,
    AfterValidator(supported),
    WithJsonSchema({"type": "string", "enum": list(LOCALES)}),
]
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


def as_sentence(text: str, locale: str) -> str:
    """``text`` translated, its first letter capitalised when the sentence starts with a word.

    Server messages are written as lowercase fragments ("no such project: ..."), but people
    read them as sentences in forms and toasts; one rule here keeps every message in both
    languages consistent. A message that starts with a value ("{name} is ...") keeps that
    value exactly as it is.
    """
    rendered = translate(text, locale)
    template = text.template if isinstance(text, Text) else str(text)
    if isinstance(text, Text) and locale != DEFAULT_LOCALE:
        template = CATALOGUES.get(locale, {}).get(text.template, template)
    if template[:1].isalpha() and rendered[:1] == template[:1]:
        return rendered[:1].upper() + rendered[1:]
    return rendered


def remember_account_locale(request: web.Request, locale: str) -> None:
    """Note the authenticated caller's language, for answers that fail after this point."""
    request[_ACCOUNT_LOCALE] = locale


def reader_locale(request: web.Request) -> str:
    """The language to answer ``request`` in (see the module's doc for the order)."""
    asked = negotiate(request.headers.get("Accept-Language"), LOCALES)
    if asked is not None:
        return asked
    account = request.get(_ACCOUNT_LOCALE)
    return account if account in LOCALES else DEFAULT_LOCALE


def localised(response: R, locale: str) -> R:
    """Label a response whose text is in ``locale``; caches keep one copy per language."""
    response.headers["Content-Language"] = locale
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
    return response
