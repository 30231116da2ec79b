"""The languages people read the server in, and English texts that can be said in them.

Messages are written in English where they are raised, gettext-style: :func:`msg` returns a
:class:`Text`, a ``str`` holding the English sentence (so ``str(exc)``, logs and tests read
English) that also keeps its template and parameters, so the edge can look the template up in
a language's catalogue (``http_api/locales/``) and format it there. The template is the
catalogue's key: a text changed in English needs its translation changed too, and a test
(tests/http_api/test_i18n.py) fails until it is.

This module is pure (no files, no clock): the catalogues are read by ``http_api/i18n.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, get_args

__all__ = [
    "Locale",
    "LOCALES",
    "DEFAULT_LOCALE",
    "Text",
    "msg",
    "supported_locale",
    "negotiate",
]

#: A supported language, as a BCP 47 tag spelled exactly so (the API's ``locale`` values).
Locale = Literal["en", "pt-BR"]
#: Every supported language; the first is the default and the language of the source texts.
LOCALES: Final[tuple[Locale, ...]] = get_args(Locale)
DEFAULT_LOCALE: Final[Locale] = "en"


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


def supported_locale(tag: str) -> Locale | None:
    """The supported language a BCP 47 tag asks for, or None.

    Any Portuguese (``pt``, ``pt-PT``, ``pt-br``) is Brazilian Portuguese, the only one
    we have; any English (``en-GB``) is English. Tags compare case-insensitively (RFC 5646).
    """
    primary = tag.strip().split("-", 1)[0].lower()
    if primary == "pt":
        return "pt-BR"
    if primary == "en":
        return "en"
    return None


def negotiate(accept_language: str | None) -> Locale | None:
    """The best supported language of an ``Accept-Language`` header (RFC 9110, 12.5.4).

    Ranges are tried by weight (``q``), ties in the order given; ``q=0`` refuses a range and
    ``*`` names no language in particular. None when the header names none we speak: the
    caller then falls back (the account's language, then English).
    """
    if not accept_language:
        return None
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
        found = supported_locale(tag)
        if found is not None:
            return found
    return None
