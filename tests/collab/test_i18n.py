"""collab.i18n: translatable English texts and the choice of a supported language."""

from __future__ import annotations

import pickle

import pytest

from collab.artifacts import KINDS, NOUNS, noun
from collab.errors import NotFound
from collab.i18n import DEFAULT_LOCALE, LOCALE_TAG, Text, msg, negotiate, supported_locale

#: The languages the product ships; the functions take whichever a deployment has.
SHIPPED = ("en", "pt-BR")


def test_english_is_the_default() -> None:
    assert DEFAULT_LOCALE == "en"


@pytest.mark.parametrize("tag", ["en", "pt-BR", "es", "es-419", "zh-Hant-TW", "fil"])
def test_canonical_tags_have_the_stored_shape(tag: str) -> None:
    assert LOCALE_TAG.fullmatch(tag)


@pytest.mark.parametrize("tag", ["", "EN", "pt-br", "pt_BR", "english", "pt-BR; drop", "e"])
def test_other_spellings_do_not(tag: str) -> None:
    assert LOCALE_TAG.fullmatch(tag) is None


class TestText:
    def test_a_message_is_its_english_and_keeps_template_and_params(self) -> None:
        text = msg("no such project: {id!r}", id="p-1")
        assert text == "no such project: 'p-1'"
        assert (text.template, dict(text.params)) == ("no such project: {id!r}", {"id": "p-1"})

    def test_without_params_the_template_is_left_as_written(self) -> None:
        """A template named without its params (a table of them) is not formatted."""
        assert msg("{count} hours") == "{count} hours"

    def test_exceptions_and_logs_read_plain_english(self) -> None:
        exc = NotFound(msg("no such idea: {id!r}", id="i"))
        assert str(exc) == "no such idea: 'i'"
        assert type(str(exc)) is str

    def test_it_survives_pickling(self) -> None:
        text = msg("{n} of {m}", n=1, m=2)
        copy = pickle.loads(pickle.dumps(text))
        assert (copy, copy.template, dict(copy.params)) == (
            "1 of 2",
            "{n} of {m}",
            {"n": 1, "m": 2},
        )


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("EN-us", "en"),
        ("pt", "pt-BR"),
        ("pt-BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("pt-PT", "pt-BR"),
        (" pt ", "pt-BR"),
        ("fr", None),
        ("", None),
        ("*", None),
    ],
)
def test_supported_locale(tag: str, locale: str | None) -> None:
    assert supported_locale(tag, SHIPPED) == locale


def test_a_third_language_is_found_by_its_catalogue_alone() -> None:
    """With Spanish (Latin America) available, es-MX finds it; an exact match beats a close one."""
    available = (*SHIPPED, "es-419", "pt-PT")
    assert supported_locale("es-MX", available) == "es-419"
    assert supported_locale("pt-PT", available) == "pt-PT"
    assert supported_locale("pt-AO", available) == "pt-BR"  # the first Portuguese listed
    assert negotiate("es-AR, en;q=0.5", available) == "es-419"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, None),
        ("", None),
        ("pt-BR", "pt-BR"),
        ("pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", "pt-BR"),
        ("en-GB,en;q=0.9,pt;q=0.8", "en"),
        ("fr-FR, pt;q=0.5, en;q=0.4", "pt-BR"),  # the best one we speak, by weight
        ("en;q=0.2, pt-PT;q=0.8", "pt-BR"),  # weights, not order
        ("en, pt", "en"),  # a tie: the order given
        ("pt;q=0, en;q=0.1", "en"),  # q=0: not acceptable
        ("pt;q=0", None),
        ("de, fr;q=0.9", None),
        ("*", None),
        ("pt;q=abc, en;q=0.5", "en"),  # an unreadable weight counts as 0
        ("pt;q=nan, en;q=0.5", "en"),
        ("pt;q=7, en;q=0.5", "en"),  # out of range
        ("pt;level=1;q=0.9, en;q=0.5", "pt-BR"),  # other parameters are ignored
    ],
)
def test_negotiate(header: str | None, locale: str | None) -> None:
    assert negotiate(header, SHIPPED) == locale


def test_every_artifact_kind_has_a_noun_that_reads_as_its_singular_in_english() -> None:
    assert set(NOUNS) == set(KINDS)
    for kind in KINDS.values():
        assert noun(kind) == kind.singular
        assert isinstance(noun(kind), Text)
