"""The languages people read the server in, and English texts that can be said in them.

Messages are written in English where they are raised, gettext-style: :func:`msg` returns a
:class:`Text`, a ``str`` holding the English sentence (so ``str(exc)``, logs and tests read
English) that also keeps its template and parameters, so the edge can look the template up in
a language's catalogue (``http_api/locales/``) and format it there. The template is the
catalogue's key: a text changed in English needs its translation changed too, and a test
(tests/http_api/test_i18n.py) fails until it is.

Which languages exist is not written here: a language is supported when it has catalogues
(``http_api/i18n.py`` lists them), so adding one is a catalogue-only change (docs/i18n.md).
This module is pure (no files, no clock): callers pass the languages they have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALE_TAG",
    "Text",
    "msg",
    "supported_locale",
    "negotiate",
]

#: The language of the source texts, and of a reader who names none we have.
DEFAULT_LOCALE: Final = "en"
#: The shape of a language tag we store (BCP 47 language, optional script and region, in
#: their canonical case: ``pt-BR``, ``zh-Hant-TW``, ``es-419``); the database checks it too.
LOCALE_TAG: Final = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")


class Text(str):
    """An English text that remembers its template and parameters (see the module's doc).

    Parameters may be Texts themselves (a noun said in the reader's language too).
    """

    template: str
    params: Mapping[str, object]

    def __new__(cls, english: str, template: str, params: Mapping[str, object]) -> Text:
        """Use :func:`msg`; this takes an English rendering made elsewhere (pydantic's)."""
        self = super().__new__(cls, english)
        self.template = template
        self.params = dict(params)
        return self

    def __reduce__(self) -> tuple[type[Text], tuple[str, str, Mapping[str, object]]]:
        return (Text, (str(self), self.template, self.params))


def msg(template: str, /, **params: object) -> Text:
    """``template`` formatted with ``params`` (``str.format``), translatable by its template.

    Write the template as a literal at the call: the catalogue test finds templates by
    reading the source.
    """
    return Text(template.format(**params) if params else template, template, params)


def supported_locale(tag: str, available: Iterable[str]) -> str | None:
    """The language of ``available`` that a BCP 47 tag asks for, or None.

    An exact match wins (tags compare case-insensitively, RFC 5646); otherwise the first
    available language with the same primary subtag (``pt``, ``pt-PT`` and ``pt-br`` ask for
    ``pt-BR`` when that is the Portuguese there is; ``en-GB`` for ``en``).
    """
    wanted = tag.strip().lower()
    primary = wanted.split("-", 1)[0]
    close = None
    for language in available:
        if language.lower() == wanted:
            return language
        if close is None and language.split("-", 1)[0].lower() == primary:
            close = language
    return close


def negotiate(accept_language: str | None, available: Iterable[str]) -> str | None:
    """The best language of ``available`` for an ``Accept-Language`` header (RFC 9110, 12.5.4).

    Ranges are tried by weight (``q``), ties in the order given; ``q=0`` refuses a range and
    ``*`` names no language in particular. None when the header names none we have: the
    caller then falls back (the account's language, then English).
    """
    if not accept_language:
        return None
    languages = tuple(available)
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language[:1000].split(",")):
        tag, _, rest = part.partition(";")
        weight = 1.0
        for param in rest.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if not 0.0 <= weight <= 1.0:  # out of range, or nan: not a weight we can rank
            weight = 0.0
        ranges.append((-weight, position, tag))
    for negative_weight, _, tag in sorted(ranges):
        if negative_weight >= 0:
            break
        found = supported_locale(tag, languages)
        if found is not None:
            return found
    return None
