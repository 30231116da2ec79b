"""The browser's catalogues (static/locales/*.json) and its message formatter (static/app/i18n.js).

Each language has every key the others have, each message parses with the same arguments in
every language, every key the code asks for exists, and no key sits unused. The formatter's
plurals, selects and numbers follow each language's rules (Intl, run under Node).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from http_api.static import page_languages
from tests.support.node import run_module_script

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
LOCALES = STATIC / "locales"
I18N = STATIC / "app" / "i18n.js"
# t('key') and t("key") with a literal key, and data-i18n="key" in static HTML.
_CALL = re.compile(r"""\bt\(\s*(['"])([\w.-]+)\1""")
_DATA = re.compile(r"""data-i18n=(['"])([\w.-]+)\1""")
_LITERAL = re.compile(r"""(['"`])([\w-]+(?:\.[\w-]+)+)\1""")
#: Words Brazilian Portuguese writes as English does: a pt-BR message may equal its English one
#: only when made of these (and placeholders and symbols). Anything else is an untranslated copy.
SHARED_WORDS = frozenset(
    ("e-mail", "brainstorm", "persona", "personas", "link", "links", "zoom", "min", "dttools")
)


def _catalogues() -> dict[str, dict[str, str]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(LOCALES.glob("*.json"))
    }


def _sources() -> dict[Path, str]:
    # http_api/static.py reads language.name for the page's language menu.
    files = [*STATIC.rglob("*.js"), *STATIC.glob("*.html"), ROOT / "http_api" / "static.py"]
    return {path: path.read_text(encoding="utf-8") for path in files if "vendor" not in path.parts}


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict[str, str]]:
    return _catalogues()


@pytest.fixture(scope="module")
def parsed(catalogues: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Each message parsed by i18n.js: language -> key -> argument names (or an error)."""
    script = """
import { parse } from __I18N__
const catalogues = JSON.parse(await new Promise((resolve) => {
  let text = ''
  process.stdin.on('data', (chunk) => { text += chunk })
  process.stdin.on('end', () => resolve(text))
}))
const names = (parts, into) => {
  for (const part of parts) {
    if (typeof part === 'string' || part.pound) continue
    into.add(part.arg + (part.type ? ',' + part.type : ''))
    for (const option of Object.values(part.options || {})) names(option, into)
  }
  return into
}
const out = {}
for (const [tag, messages] of Object.entries(catalogues)) {
  out[tag] = {}
  for (const [key, text] of Object.entries(messages)) {
    try {
      out[tag][key] = [...names(parse(text), new Set())].sort()
    } catch (error) {
      out[tag][key] = 'error: ' + error.message
    }
  }
}
console.log(JSON.stringify(out))
""".replace("__I18N__", json.dumps(I18N.as_uri()))
    result: dict[str, Any] = json.loads(run_module_script(script, json.dumps(catalogues)))
    return result


class TestCatalogues:
    def test_the_page_offers_each_catalogue_named_in_its_language(
        self, catalogues: dict[str, dict[str, str]]
    ) -> None:
        """The server lists the catalogues in the page; each names itself (language.name)."""
        offered = page_languages(STATIC)
        assert set(offered) == set(catalogues)
        assert {"en", "pt-BR"} <= set(offered)
        assert offered["pt-BR"] == "Português (Brasil)"
        assert all(offered[tag] == catalogues[tag]["language.name"] for tag in offered)

    def test_every_language_has_every_key(self, catalogues: dict[str, dict[str, str]]) -> None:
        """A key in one catalogue and not another is a message someone would see untranslated."""
        english = set(catalogues["en"])
        for tag, messages in catalogues.items():
            assert set(messages) - english == set(), f"{tag} has keys English lacks"
            assert english - set(messages) == set(), f"{tag} lacks keys"

    def test_no_message_is_empty_or_padded(self, catalogues: dict[str, dict[str, str]]) -> None:
        for tag, messages in catalogues.items():
            for key, text in messages.items():
                assert text.strip() == text != "", f"{tag} {key}: {text!r}"

    def test_no_portuguese_message_is_an_english_copy(
        self, catalogues: dict[str, dict[str, str]]
    ) -> None:
        """A pt-BR text equal to the English one is made only of words both languages share."""
        copies = []
        for key, text in catalogues["pt-BR"].items():
            if text != catalogues["en"][key]:
                continue
            words = re.findall(r"[^\W\d_][\w-]*", re.sub(r"\{[^{}]*\}", " ", text))
            if any(word.lower() not in SHARED_WORDS for word in words):
                copies.append(f"{key}: {text}")
        assert copies == []

    def test_every_message_parses_with_the_same_arguments(self, parsed: dict[str, Any]) -> None:
        """Translations keep the placeholders (a lost {name} would drop data from the text)."""
        for tag, messages in parsed.items():
            for key, names in messages.items():
                assert not isinstance(names, str), f"{tag} {key}: {names}"
                assert names == parsed["en"][key], f"{tag} {key}: {names} vs {parsed['en'][key]}"

    def test_the_files_are_sorted_as_scripts_i18n_add_writes_them(
        self, catalogues: dict[str, dict[str, str]]
    ) -> None:
        for tag, messages in catalogues.items():
            assert list(messages) == sorted(messages), tag


class TestUse:
    def test_every_key_the_code_asks_for_exists(
        self, catalogues: dict[str, dict[str, str]]
    ) -> None:
        """t('x') or data-i18n="x" with no message x: the page would show the key."""
        missing = []
        for path, text in _sources().items():
            for pattern in (_CALL, _DATA):
                for match in pattern.finditer(text):
                    if match.group(2) not in catalogues["en"]:
                        missing.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
        assert missing == []

    def test_every_key_is_used(self, catalogues: dict[str, dict[str, str]]) -> None:
        """A key no code names is dead text (a key built at run time is named in a table)."""
        named = {
            match.group(2)
            for text in _sources().values()
            for pattern in (_LITERAL, _DATA)
            for match in pattern.finditer(text)
        }
        assert sorted(set(catalogues["en"]) - named) == []


_FORMAT = """
import { useCatalogue, t, pickLocale, parse } from %(url)s
const cases = JSON.parse(%(cases)s)
const out = []
for (const [tag, text, values] of cases) {
  useCatalogue(tag, { m: text })
  out.push(t('m', values))
}
const shipped = ['en', 'pt-BR']
const picks = [['pt-BR'], ['pt-PT', 'en'], ['en-GB'], ['fr-FR', 'pt'], ['de'], []].map(
  (preferred) => pickLocale(preferred, shipped))
let errors = []
for (const bad of ['{n, plural, one {x}}', 'a } b', '{n, select, a {x} other {y}', '{}']) {
  try { parse(bad); errors.push(null) } catch (error) { errors.push(error.name) }
}
console.log(JSON.stringify({ out, picks, errors }))
"""

_IDEAS = "{n, plural, =0 {no ideas} one {# idea} other {# ideas}}"
_IDEIAS = "{n, plural, =0 {nenhuma ideia} one {# ideia} other {# ideias}}"


class TestFormatter:
    def test_messages_format_by_each_languages_rules(self) -> None:
        cases = [
            ("en", "Hello, {name}!", {"name": "Ana"}),
            ("en", _IDEAS, {"n": 0}),
            ("en", _IDEAS, {"n": 1}),
            ("en", _IDEAS, {"n": 1234}),
            ("pt-BR", _IDEIAS, {"n": 1}),
            ("pt-BR", _IDEIAS, {"n": 1234}),
            # pt-BR (CLDR) puts 0 and 1 in "one": "0 votos" needs =0 or reads "0 voto".
            ("pt-BR", "{n, plural, one {# voto} other {# votos}}", {"n": 0}),
            ("en", "{role, select, owner {Owner} other {Member}}", {"role": "owner"}),
            ("en", "{role, select, owner {Owner} other {Member}}", {"role": "viewer"}),
            ("pt-BR", "{share, number, percent}", {"share": 0.25}),
            ("en", "It''s '{literal}' and {n}", {"n": 3}),
            ("pt-BR", "{n, plural, one {# voto} other {# votos, nº '#'1}}", {"n": 2}),
            ("en", "{who} left", {}),
        ]
        script = _FORMAT % {
            "url": json.dumps(I18N.as_uri()),
            "cases": json.dumps(json.dumps(cases)),
        }
        result = json.loads(run_module_script(script))
        assert result["out"] == [
            "Hello, Ana!",
            "no ideas",
            "1 idea",
            "1,234 ideas",
            "1 ideia",
            "1.234 ideias",
            "0 voto",
            "Owner",
            "Member",
            "25%",
            "It's {literal} and 3",
            "2 votos, nº #1",
            " left",
        ]
        assert result["picks"] == ["pt-BR", "pt-BR", "en", "pt-BR", "en", "en"]
        assert result["errors"] == ["SyntaxError"] * 4
