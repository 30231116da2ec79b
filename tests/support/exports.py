"""A realistic project to export, made in the tests: every phase filled, in Portuguese.

The renderers' tests (PDF, PPTX, CSV, print view) all read this one project, so a change to
what a report holds shows up in every format's test. It has what hurts a layout: accents
and other non-ASCII text, texts at their schema limits, lists of many entries, images, and
300 ideas in clusters with votes.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from collab.archive_writer import ArchiveWriter
from collab.artifacts import PALETTE, SCHEMA_VERSION
from collab.export_archive import (
    BRAINSTORMS,
    CLUSTERS,
    DOCUMENT,
    YDOC,
    ArchiveProject,
    ManifestFields,
)
from collab.export_report import (
    ExportFile,
    ExportSource,
    ProjectInfo,
    RankedResult,
    SessionResults,
    TeamMember,
    state_hash,
)
from tests.support.files import png

__all__ = [
    "TAKEN_AT",
    "LONG_BIO",
    "realistic_source",
    "persona_names",
    "idea_texts",
    "tiny_archive",
]

TAKEN_AT = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)
_CREATED = TAKEN_AT - timedelta(days=12)

#: A persona bio at the schema's limit for long texts (10,000 characters), with accents.
LONG_BIO = (
    "Coordenadora pedagógica em São João del-Rei; ação, coração e atenção à comunicação. " * 200
)[:10_000]

_PERSONAS = [
    ("Ana Júlia Conceição", "Coordenadora pedagógica", "38 anos, Belo Horizonte"),
    ("João Pedro Araújo", "Estudante de engenharia", "21 anos, São Paulo"),
    ("Maria Eduarda Gonçalves", "Mãe de três crianças", "42 anos, Recife"),
    ("Zoë Łukasiewicz-Ñúñez", "Designer de serviços", "29 anos, Curitiba"),
]
_CLUSTERS = {
    "c-acesso": "Acesso e inclusão",
    "c-comunicacao": "Comunicação com as famílias",
    "c-tempo": "Tempo e organização",
    "c-ferramentas": "Ferramentas digitais",
}


def _item(kind: str, number: int, **fields: Any) -> dict[str, Any]:
    at = (_CREATED + timedelta(minutes=number)).isoformat().replace("+00:00", "Z")
    return {
        "id": f"{kind}-{number:04d}",
        **fields,
        "createdBy": "u-ana",
        "createdAt": at,
        "updatedAt": at,
    }


def _ideas(count: int) -> list[dict[str, Any]]:
    clusters = [*_CLUSTERS, None]
    ideas = []
    for n in range(count):
        text = f"Ideia {n + 1}: aplicativo de comunicação para famílias, versão nº {n + 1}"
        if n % 50 == 7:
            text = ("Uma ideia longa sobre participação, inclusão e ação coletiva. " * 80)[:5_000]
        ideas.append(
            _item(
                "idea",
                n,
                text=text,
                color=PALETTE[n % len(PALETTE)],
                x=float(n % 20) * 180,
                y=float(n // 20) * 140,
                clusterId=clusters[n % len(clusters)],
                imageFileId="f-sketch" if n == 3 else None,
                authorId="u-ana" if n % 2 else "u-joao",
            )
        )
    return ideas


def realistic_source(ideas: int = 300, language: str = "pt-BR") -> ExportSource:
    """The project every renderer test exports (see the module's doc)."""
    personas = [
        _item(
            "persona",
            n,
            name=name,
            role=role,
            demographics=demographics,
            bio=LONG_BIO if n == 0 else f"{name} quer ajudar a comunidade; não tem tempo.",
            goals=[f"Objetivo {i}: organizar a reunião de pais nº {i}" for i in range(1, 9)],
            pains=["Falta de informação", "Excesso de mensagens no WhatsApp"],
            gains=["Reconhecimento", "Mais tempo com a família"],
            quote="“Eu só queria saber o que acontece na escola.”",
            avatar=None,
            avatarFileId="f-ana" if n == 0 else None,
        )
        for n, (name, role, demographics) in enumerate(_PERSONAS)
    ]
    document: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "personas": personas,
        "empathyMaps": [
            _item(
                "map",
                n,
                personaId=personas[n]["id"],
                title=f"Mapa de empatia de {personas[n]['name']}",
                says=["“Não consigo acompanhar tudo”", "Pede ajuda à coordenação"],
                thinks=["Será que estou fazendo o suficiente?"],
                does=["Lê as mensagens à noite", "Anota tudo num caderno"],
                feels=["Ansiedade", "Orgulho quando dá certo"],
                pains=["Informação espalhada"],
                gains=["Uma visão única da semana"],
            )
            for n in range(2)
        ],
        "povStatements": [
            _item(
                "pov",
                n,
                user=personas[n]["name"],
                need="uma forma simples de acompanhar a vida escolar dos filhos",
                insight="porque as informações chegam por canais demais, em horários ruins",
            )
            for n in range(3)
        ],
        "hmwQuestions": [
            _item("hmw", n, question=f"Como poderíamos reduzir o ruído nº {n + 1}?", povId=None)
            for n in range(4)
        ],
        "ideas": _ideas(ideas),
        "prototypes": [
            _item(
                "proto",
                0,
                title="Painel semanal da família",
                description="Um resumo por criança, com lembretes e ações; protótipo em papel.",
                linkedIdeaIds=["idea-0000", "idea-0001"],
                links=["https://example.org/prototipo"],
                fidelity="low",
                fileIds=["f-sketch", "f-spec"],
            )
        ],
        "tests": [
            _item(
                "test",
                0,
                title="Teste com mães e pais",
                script="1. Mostre o painel. 2. Peça que encontrem a reunião de sexta.",
                prototypeId="proto-0000",
            )
        ],
        "testResults": [
            _item(
                "result",
                n,
                testId="test-0000",
                participant=f"Participante {n + 1}",
                outcome=("success", "partial", "failure")[n % 3],
                notes="Achou a reunião em 20 s; pediu notificações por voz.",
                rating=(n % 5) + 1,
            )
            for n in range(5)
        ],
    }
    files = {
        "f-ana": ExportFile("f-ana", "ana.png", "image/png", 812, png(160, 160, "salmon"),
                            "image/png"),
        "f-sketch": ExportFile("f-sketch", "esboço do painel.png", "image/png", 2_048,
                               png(320, 200, "teal"), "image/png"),
        "f-spec": ExportFile("f-spec", "especificação.pdf", "application/pdf", 120_000),
    }  # fmt: skip
    ranked = [
        RankedResult(rank, idea["id"], idea["text"], 12 - rank, idea["clusterId"])
        for rank, idea in enumerate(document["ideas"][:10], start=1)
    ]
    session = SessionResults(
        id="s-1",
        prompt="Como poderíamos aproximar escola e famílias?",
        taken_at=TAKEN_AT - timedelta(hours=2),
        voters=6,
        votes=sum(result.votes for result in ranked),
        ideas=tuple(ranked),
    )
    return ExportSource(
        project=ProjectInfo(
            id="9d5c8e0e-2a8e-4f57-9a61-4b0c7f7d1a11",
            name="Escola & Famílias: comunicação",
            description="Oficina de design thinking com a rede municipal de ensino.",
            language=language,
            created_at=_CREATED,
        ),
        document=document,
        clusters=_CLUSTERS,
        team=[
            TeamMember("Ana Júlia Conceição", "owner"),
            TeamMember("João Pedro Araújo", "editor"),
            TeamMember("Zoë Łukasiewicz-Ñúñez", "viewer"),
        ],
        authors={"u-ana": "Ana Júlia Conceição", "u-joao": "João Pedro Araújo"},
        sessions=[session],
        files=files,
        taken_at=TAKEN_AT,
        state_hash=state_hash(document, _CLUSTERS),
    )


def persona_names(source: ExportSource) -> list[str]:
    """Every persona's name, as a test looks for it in a rendered export."""
    return [item["name"] for item in source.document["personas"]]


def idea_texts(source: ExportSource) -> list[str]:
    """Every idea's text."""
    return [item["text"] for item in source.document["ideas"]]


def tiny_archive(
    document: dict[str, Any] | None = None, *, clusters: dict[str, Any] | None = None
) -> bytes:
    """A well-formed archive of ``document`` (default: one idea), for import tests; its
    manifest states the document's ``schemaVersion`` (an older server's archive says 1)."""
    out = io.BytesIO()
    writer = ArchiveWriter(out)
    document = document or {"schemaVersion": 1, "ideas": [{"id": "idea-1", "text": "importada"}]}
    writer.add_json(DOCUMENT, document)
    writer.add_json(CLUSTERS, clusters or {})
    writer.add_json(BRAINSTORMS, [])
    writer.add_bytes(YDOC, b"\x00\x00")
    project = ArchiveProject("Imported", "", "en", TAKEN_AT)
    version = document.get("schemaVersion", SCHEMA_VERSION)
    writer.finish(ManifestFields(project, TAKEN_AT, "0" * 12, schema_version=version))
    return out.getvalue()
