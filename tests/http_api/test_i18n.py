"""Server texts in the reader's language: the catalogues, and problem responses in pt-BR/en.

The catalogue tests read the source: every ``msg("...")`` template written in the four
packages needs its Portuguese, every Portuguese entry a template that is still written, and
both the same placeholders (a translation that drops or renames one fails to format).
"""

from __future__ import annotations

import ast
import re
import string
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiohttp.test_utils import make_mocked_request
from pydantic import BaseModel, Field, ValidationError

from collab.i18n import LOCALE_TAG, msg
from http_api.i18n import (
    CATALOGUES,
    LOCALES,
    as_sentence,
    load_catalogues,
    reader_locale,
    remember_account_locale,
    translate,
)
from http_api.problems import ValidationFailed
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient

pytestmark = pytest.mark.shared_server

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("collab", "persistence", "rooms", "http_api")
NOT_FOUND_TYPE = "https://dttools.dev/problems/not-found"


def written_templates() -> dict[str, str]:
    """Every literal template of a ``msg(...)`` call in the server's code -> where it is."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "msg"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.setdefault(node.args[0].value, str(path.relative_to(ROOT)))
    return found


def placeholders(template: str) -> Counter[tuple[str, str | None, str]]:
    """The replacement fields of a template (name, conversion, format spec), counted."""
    return Counter(
        (name, conversion, spec or "")
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    )


class TestCatalogues:
    def test_every_language_but_english_has_a_catalogue(self) -> None:
        assert LOCALES[0] == "en"
        assert set(CATALOGUES) == set(LOCALES) - {"en"}
        assert "pt-BR" in LOCALES

    def test_the_browser_has_the_same_languages(self) -> None:
        """A language is a pair of catalogues: the server's texts and the browser app's."""
        browser = {path.stem for path in (ROOT / "static" / "locales").glob("*.json")}
        assert browser == set(LOCALES)

    def test_a_catalogue_file_is_all_a_language_needs(self, tmp_path: Path) -> None:
        """The server's languages are the files present: drop in es-419.json and it is one."""
        (tmp_path / "pt-BR.json").write_text('{"a": "b"}')
        (tmp_path / "es-419.json").write_text('{"no such project": "no existe el proyecto"}')
        (tmp_path / "README.txt").write_text("not a catalogue")
        assert load_catalogues(tmp_path) == {
            "es-419": {"no such project": "no existe el proyecto"},
            "pt-BR": {"a": "b"},
        }

    @pytest.mark.parametrize("name", ["pt_br.json", "en.json", "x.json"])
    def test_a_misnamed_catalogue_stops_the_server(self, tmp_path: Path, name: str) -> None:
        """English is the source, not a catalogue; names are canonical BCP 47 tags."""
        (tmp_path / name).write_text("{}")
        with pytest.raises(ValueError, match="not a catalogue name"):
            load_catalogues(tmp_path)

    def test_the_database_checks_the_same_tag_shape(self) -> None:
        migration = (ROOT / "persistence" / "migrations" / "0010_locale_shape.sql").read_text()
        shapes = set(re.findall(r"~ '\^(.*?)\$'", migration))
        assert shapes == {LOCALE_TAG.pattern}

    def test_the_scan_finds_the_templates(self) -> None:
        """A guard on the scan itself: it must see templates in every layer."""
        where = set(written_templates().values())
        for package in PACKAGES:
            assert any(path.startswith(package + "/") for path in where), package

    @pytest.mark.parametrize("locale", sorted(CATALOGUES))
    def test_every_template_in_the_code_is_translated(self, locale: str) -> None:
        missing = {
            t: where for t, where in written_templates().items() if t not in CATALOGUES[locale]
        }
        assert not missing, f"add to http_api/locales/{locale}.json: {missing}"

    @pytest.mark.parametrize("locale", sorted(CATALOGUES))
    def test_every_translation_is_of_a_template_still_in_the_code(self, locale: str) -> None:
        unused = set(CATALOGUES[locale]) - set(written_templates())
        assert not unused, f"remove from http_api/locales/{locale}.json: {sorted(unused)}"

    @pytest.mark.parametrize("locale", sorted(CATALOGUES))
    def test_placeholders_are_the_same_in_both_languages(self, locale: str) -> None:
        for english, translated in CATALOGUES[locale].items():
            assert placeholders(translated) == placeholders(english), (english, translated)
            assert translated.strip(), english


class TestTranslate:
    def test_a_text_is_said_in_portuguese_with_its_params(self) -> None:
        text = msg("no such project: {project_id}", project_id="p-1")
        assert translate(text, "pt-BR") == "Projeto não encontrado: p-1"
        assert translate(text, "en") == "no such project: p-1"

    def test_nested_texts_are_translated_too(self) -> None:
        text = msg(
            "voting is not open: the session is in its {phase} phase", phase=msg("clustering")
        )
        assert (
            translate(text, "pt-BR")
            == "A votação não está aberta: a sessão está na fase de agrupamento."
        )

    def test_plain_strings_and_unknown_templates_stay_english(self) -> None:
        assert translate("plain words", "pt-BR") == "plain words"
        assert translate(msg("not in any catalogue"), "pt-BR") == "not in any catalogue"
        assert translate(msg("Not found"), "xx") == "Not found"

    def test_validation_messages_from_pydantic_are_translated(self) -> None:
        class Body(BaseModel):
            name: str = Field(min_length=1, max_length=3)
            client: int = Field(ge=1)
            kind: str = Field(pattern="^[a-z]+$")

        for data, english, portuguese in [
            ({"name": "", "client": 1, "kind": "a"},
             "String should have at least 1 character", "Deve ter pelo menos 1 caractere"),
            ({"name": "abcd", "client": 1, "kind": "a"},
             "String should have at most 3 characters", "Deve ter no máximo 3 caracteres"),
            ({"name": "a", "client": 0, "kind": "a"},
             "Input should be greater than or equal to 1", "Deve ser maior ou igual a 1"),
            ({"name": "a", "client": 1, "kind": "A"},
             "String should match pattern '^[a-z]+$'", "Deve seguir o padrão '^[a-z]+$'"),
            ({"client": 1, "kind": "a"}, "Field required", "Campo obrigatório"),
        ]:  # fmt: skip
            with pytest.raises(ValidationError) as info:
                Body.model_validate(data)
            [error] = ValidationFailed.from_pydantic(info.value, "body").errors
            assert error["message"] == english
            assert translate(error["message"], "pt-BR") == portuguese

    def test_the_alternatives_of_a_literal_are_joined_in_portuguese(self) -> None:
        from typing import Literal

        class Body(BaseModel):
            client: Literal["browser", "token", "robot"]

        with pytest.raises(ValidationError) as info:
            Body.model_validate({"client": "x"})
        [error] = ValidationFailed.from_pydantic(info.value, "body").errors
        assert error["message"] == "Input should be 'browser', 'token' or 'robot'"
        assert translate(error["message"], "pt-BR") == "Deve ser 'browser', 'token' ou 'robot'"

    def test_an_uncommon_pydantic_error_stays_english(self) -> None:
        class Body(BaseModel):
            when: float = Field(allow_inf_nan=False)

        with pytest.raises(ValidationError) as info:
            Body.model_validate({"when": float("inf")})
        [error] = ValidationFailed.from_pydantic(info.value, "body").errors
        assert translate(error["message"], "pt-BR") == error["message"]


class TestReaderLocale:
    def test_accept_language_wins_over_the_account(self) -> None:
        request = make_mocked_request("GET", "/", headers={"Accept-Language": "en-GB"})
        remember_account_locale(request, "pt-BR")
        assert reader_locale(request) == "en"

    def test_the_account_speaks_when_the_header_names_nothing_we_speak(self) -> None:
        request = make_mocked_request("GET", "/", headers={"Accept-Language": "de"})
        remember_account_locale(request, "pt-BR")
        assert reader_locale(request) == "pt-BR"

    def test_english_otherwise(self) -> None:
        assert reader_locale(make_mocked_request("GET", "/")) == "en"
        request = make_mocked_request("GET", "/")
        remember_account_locale(request, "tlh")
        assert reader_locale(request) == "en"


PT = {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


async def _set_locale(api: ApiClient, user: RegisteredUser, locale: str) -> None:
    reply = await api.call("PATCH", "/v1/auth/me", user, json={"locale": locale})
    assert reply.status == 200, reply.body


class TestProblems:
    """Problems over HTTP: title and detail in the reader's language, everything else fixed."""

    async def test_a_404_in_each_language(self, api: ApiClient, alice: RegisteredUser) -> None:
        path = f"/v1/projects/{uuid.uuid4()}"
        pt = await api.call("GET", path, alice, headers=PT)
        en = await api.call("GET", path, alice, headers=EN)
        assert (pt.status, en.status) == (404, 404)
        assert pt.body["type"] == en.body["type"] == NOT_FOUND_TYPE
        assert (pt.body["title"], en.body["title"]) == ("Não encontrado", "Not found")
        assert pt.body["detail"].startswith("Projeto não encontrado: ")
        # messages read as sentences in every language (http_api/i18n.py, as_sentence)
        assert en.body["detail"].startswith("No such project: ")
        assert (pt.headers["Content-Language"], en.headers["Content-Language"]) == ("pt-BR", "en")
        assert "Accept-Language" in pt.headers["Vary"]
        assert set(pt.body) == set(en.body)

    async def test_a_422_names_the_same_fields_in_each_language(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        body = {"name": "", "phase": "nowhere"}
        pt = await api.call("POST", "/v1/projects", alice, json=body, headers=PT)
        en = await api.call("POST", "/v1/projects", alice, json=body, headers=EN)
        assert (pt.status, en.status) == (422, 422)
        assert pt.body["type"] == en.body["type"]
        assert (pt.body["title"], en.body["title"]) == ("Dados inválidos", "Validation failed")
        assert pt.body["detail"] == "2 campo(s) inválido(s): name, phase"
        assert [(e["location"], e["field"]) for e in pt.body["errors"]] == [
            (e["location"], e["field"]) for e in en.body["errors"]
        ]
        messages = {e["field"]: e["message"] for e in pt.body["errors"]}
        assert messages["name"] == "Deve ter pelo menos 1 caractere"
        assert messages["phase"].startswith("Deve ser 'empathize', ")
        assert " ou " in messages["phase"]
        assert pt.headers["Content-Language"] == "pt-BR"

    async def test_a_401_before_anyone_is_known_follows_the_header(self, api: ApiClient) -> None:
        pt = await api.call("GET", "/v1/auth/me", None, headers=PT)
        en = await api.call("GET", "/v1/auth/me", None)
        assert (pt.status, en.status) == (401, 401)
        assert pt.body["type"] == en.body["type"]
        assert pt.body["title"] == "É preciso entrar na sua conta"
        assert pt.body["detail"] == "Entre na sua conta ou envie Authorization: Bearer <token>."
        assert (en.body["title"], en.headers["Content-Language"]) == (
            "Authentication required",
            "en",
        )
        assert pt.headers["WWW-Authenticate"] == en.headers["WWW-Authenticate"]

    async def test_a_409_in_portuguese(self, api: ApiClient, alice: RegisteredUser) -> None:
        bob = await api.register("Bob")
        project = await api.create_project(alice, "Dupla")
        add = {"email": bob.email, "role": "member"}
        first = await api.call("POST", f"/v1/projects/{project}/members", alice, json=add)
        assert first.status == 201, first.body
        pt = await api.call("POST", f"/v1/projects/{project}/members", alice, json=add, headers=PT)
        assert pt.status == 409
        assert pt.body["type"] == "https://dttools.dev/problems/conflict"
        assert pt.body["title"] == "Conflito"
        assert pt.body["detail"] == f"O usuário {bob.id} já é membro deste projeto."

    async def test_without_accept_language_the_account_locale_speaks(self, api: ApiClient) -> None:
        carla = await api.register("Carla")
        await _set_locale(api, carla, "pt-BR")
        path = f"/v1/projects/{uuid.uuid4()}"
        reply = await api.call("GET", path, carla)
        assert (reply.status, reply.body["title"]) == (404, "Não encontrado")
        assert reply.headers["Content-Language"] == "pt-BR"
        # The header still wins: the page's language is what the person is reading.
        reply = await api.call("GET", path, carla, headers=EN)
        assert (reply.body["title"], reply.headers["Content-Language"]) == ("Not found", "en")
        # A header naming nothing we speak falls back to the account.
        reply = await api.call("GET", path, carla, headers={"Accept-Language": "de-DE"})
        assert reply.body["title"] == "Não encontrado"

    async def test_the_role_is_named_in_portuguese(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        viewer = await api.register("Vera")
        project = await api.create_project(alice, "Somente leitura")
        add = {"email": viewer.email, "role": "viewer"}
        assert (
            await api.call("POST", f"/v1/projects/{project}/members", alice, json=add)
        ).status == 201
        reply = await api.call("DELETE", f"/v1/projects/{project}", viewer, headers=PT)
        assert reply.status == 403
        assert (
            reply.body["detail"] == "Como leitor do projeto, você não pode gerenciar este projeto."
        )

    async def test_aiohttp_errors_are_translated_too(self, api: ApiClient) -> None:
        reply = await api.call("GET", "/v1/no-such-route", None, headers=PT)
        assert reply.status == 404
        assert reply.body["type"] == "https://dttools.dev/problems/http-404"
        assert (reply.body["title"], reply.body["detail"]) == (
            "Não encontrado",
            "404: Não encontrado",
        )
        reply = await api.call("PUT", "/v1/auth/me", None, headers=PT)
        assert (reply.status, reply.body["title"]) == (405, "Método não permitido")
        assert "Allow" in reply.headers

    async def test_an_unsupported_media_type_is_explained_in_portuguese(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser
    ) -> None:
        async with api.http.post(
            server.http_url + "/v1/projects",
            data=b"name=x",
            headers={**alice.headers, **PT, "Content-Type": "text/plain"},
        ) as response:
            body = await response.json(content_type=None)
        assert response.status == 415
        assert body["title"] == "Tipo de conteúdo não suportado"
        assert body["detail"] == "Envie o corpo da requisição como application/json."


def test_a_translation_that_cannot_be_formatted_falls_back_to_english() -> None:
    """A text raised without a parameter its translation needs is still said, in English."""
    text = msg("no such project: {project_id}")  # a table entry, never formatted
    assert translate(text, "pt-BR") == "no such project: {project_id}"


def test_a_custom_validator_error_is_translated_with_its_reason() -> None:
    from pydantic import field_validator

    class Body(BaseModel):
        name: str

        @field_validator("name")
        @classmethod
        def _no_x(cls, value: str) -> str:
            if "x" in value:
                raise ValueError("no x, please")
            return value

    with pytest.raises(ValidationError) as info:
        Body.model_validate({"name": "x"})
    [error] = ValidationFailed.from_pydantic(info.value, "body").errors
    assert error["message"] == "Value error, no x, please"
    assert translate(error["message"], "pt-BR") == "Valor inválido: no x, please"


class TestSentences:
    """Server messages are fragments in the code and sentences to their readers."""

    def test_a_fragment_starts_with_a_capital(self) -> None:
        assert as_sentence(msg("no such project: {id}", id="x"), "en") == "No such project: x"

    def test_a_message_that_starts_with_a_value_keeps_the_value(self) -> None:
        text = msg("{name} is already here", name="ana@example.com")
        assert as_sentence(text, "en") == "ana@example.com is already here"

    def test_translations_too(self) -> None:
        text = msg("no such webhook: {id}", id="7")
        assert as_sentence(text, "pt-BR") == "Webhook inexistente: 7"

    def test_plain_strings(self) -> None:
        assert as_sentence("bad request", "en") == "Bad request"
        assert as_sentence("", "en") == ""
