"""The built-in project templates: a design-thinking method to start from, or a whole example.

A template is content in the shape of an export (``collab.schema.export_document``: typed
collections, plus the board's clusters), written in the project's language (English or
Brazilian Portuguese). Creating a project from one goes through the import path: fresh ids
(collab/import_remap.py), REST's checks (collab/import_document.py), one room transaction.
So a template can never hold what a REST create would refuse, and a test checks every one of
them in every language.

Saved templates (a team's own project kept as a starting point) are the same shape, stored in
the database (persistence/templates.py); :func:`strip_for_template` makes one from a
project's document.

Pure data and functions: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from collab.artifacts import SCHEMA_VERSION, Phase

__all__ = ["ARTIFACTS", "BUILT_IN", "Content", "Template", "content_of", "strip_for_template"]

#: (English, Brazilian Portuguese) -> the text in the project's language.
Say = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class Content:
    """A template's content in one language: typed collections and the board's clusters."""

    document: dict[str, Any]
    clusters: dict[str, dict[str, Any]]

    @property
    def artifacts(self) -> int:
        """How many artifacts it creates."""
        return sum(len(items) for key, items in self.document.items() if isinstance(items, list))


@dataclass(frozen=True, slots=True)
class Template:
    """One built-in template."""

    id: str
    kind: Literal["method", "example"]
    #: the phase a project made from it starts in
    phase: Phase
    #: name and one-line description, (English, Brazilian Portuguese)
    name: tuple[str, str]
    description: tuple[str, str]
    build: Callable[[Say], Content]

    def text(self, pair: tuple[str, str], locale: str) -> str:
        """One of the template's texts in ``locale`` (English unless Brazilian Portuguese)."""
        return pair[1] if locale == "pt-BR" else pair[0]


def _say(locale: str) -> Say:
    return lambda en, pt: pt if locale == "pt-BR" else en


def content_of(template: Template, locale: str) -> Content:
    """The template's content in ``locale``."""
    return template.build(_say(locale))


def _doc(**collections: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemaVersion": SCHEMA_VERSION, **collections}


def _notes(
    texts: list[str], *, color: str, origin: tuple[float, float], cluster: str | None = None,
    prefix: str, columns: int = 4,
) -> list[dict[str, Any]]:  # fmt: skip
    """Sticky notes laid out in a grid from ``origin`` (the board's 220 x 140 spacing)."""
    x0, y0 = origin
    return [
        {
            "id": f"{prefix}{n}",
            "text": text,
            "color": color,
            "x": x0 + (n % columns) * 220.0,
            "y": y0 + (n // columns) * 140.0,
            "clusterId": cluster,
        }
        for n, text in enumerate(texts)
    ]


def _cluster(key: str, name: str) -> dict[str, Any]:
    return {"id": key, "name": name}


# --- the templates --------------------------------------------------------------------------


def _personas(say: Say) -> Content:
    persona = {
        "id": "persona-1",
        "name": say("Primary user (rename me)", "Usuário principal (renomeie)"),
        "role": say("Who are they? e.g. first-year student", "Quem é? ex.: estudante do 1º ano"),
        "demographics": say("Age, context, where you met them", "Idade, contexto, onde o conheceu"),
        "bio": say(
            "Two or three sentences from your interviews: a day in their life, in their words.",
            "Duas ou três frases das suas entrevistas: um dia da vida dessa pessoa, nas palavras "
            "dela.",
        ),
        "goals": [say("What are they trying to get done?", "O que essa pessoa quer conseguir?")],
        "pains": [say("What gets in the way today?", "O que atrapalha hoje?")],
        "gains": [say("What would delight them?", "O que a encantaria?")],
        "quote": say("A sentence they actually said", "Uma frase que a pessoa realmente disse"),
    }
    second = {
        "id": "persona-2",
        "name": say("Edge case (rename me)", "Caso extremo (renomeie)"),
        "role": say(
            "Someone the obvious design would fail", "Alguém que o design óbvio deixaria de fora"
        ),
        "bio": say(
            "Extreme users reveal needs the average one hides.",
            "Usuários extremos revelam necessidades que o usuário médio esconde.",
        ),
    }
    empathy = {
        "id": "map-1",
        "personaId": "persona-1",
        "title": say("Empathy map of the primary user", "Mapa de empatia do usuário principal"),
        "says": [say("Quotes from the interview", "Citações da entrevista")],
        "thinks": [say("What they may think but not say", "O que pode pensar mas não diz")],
        "does": [say("Actions and behaviour you observed", "Ações e comportamentos observados")],
        "feels": [say("Emotions: worried? excited?", "Emoções: preocupado? animado?")],
    }
    return Content(_doc(personas=[persona, second], empathyMaps=[empathy]), {})


def _pov_hmw(say: Say) -> Content:
    povs = [
        {
            "id": "pov-1",
            "user": say("A busy parent", "Uma mãe ou pai sem tempo"),
            "need": say("to plan meals in minutes", "planejar as refeições em poucos minutos"),
            "insight": say(
                "because deciding, not cooking, is what exhausts them (replace with your own)",
                "porque decidir, e não cozinhar, é o que cansa (troque pelo seu)",
            ),
        },
    ]
    hmws = [
        {"id": f"hmw-{n}", "povId": "pov-1", "question": text}
        for n, text in enumerate(
            [
                say("How might we make deciding feel effortless?",
                    "Como poderíamos tornar a decisão algo sem esforço?"),
                say("How might we turn planning into a family moment?",
                    "Como poderíamos transformar o planejamento em um momento em família?"),
                say("How might we remove the decision altogether?",
                    "Como poderíamos eliminar a decisão por completo?"),
            ]
        )
    ]  # fmt: skip
    return Content(_doc(povStatements=povs, hmwQuestions=hmws), {})


def _crazy_8s(say: Say) -> Content:
    sketches = [say(f"Sketch {n}", f"Esboço {n}") for n in range(1, 9)]
    ideas = _notes(sketches, color="yellow", origin=(0.0, 220.0), cluster="round-1", prefix="s")
    brief = {
        "id": "brief",
        "text": say(
            "Crazy 8s: fold a sheet into eight, one idea per panel, one minute each. Then put "
            "each sketch on a note (text or a photo) and vote.",
            "Crazy 8s: dobre uma folha em oito, uma ideia por quadro, um minuto cada. Depois "
            "ponha cada esboço em uma nota (texto ou foto) e votem.",
        ),
        "color": "blue",
        "x": 0.0,
        "y": 0.0,
    }
    round_name = say("Round 1", "Rodada 1")
    return Content(_doc(ideas=[brief, *ideas]), {"round-1": _cluster("round-1", round_name)})


def _affinity(say: Say) -> Content:
    groups = [
        ("needs", say("Needs", "Necessidades"), "green"),
        ("pains", say("Pains", "Dores"), "red"),
        ("surprises", say("Surprises", "Surpresas"), "purple"),
        ("parking", say("Parking lot", "Estacionamento"), "grey"),
    ]
    clusters = {key: _cluster(key, name) for key, name, _ in groups}
    ideas = []
    for column, (key, name, colour) in enumerate(groups):
        ideas += _notes(
            [say(f"A finding about {name.lower()}", f"Uma descoberta sobre {name.lower()}")],
            color=colour, origin=(column * 260.0, 0.0), cluster=key, prefix=f"{key}-",
        )  # fmt: skip
    return Content(_doc(ideas=ideas), clusters)


_SCRIPT_EN = """Introduction (2 min)
Thank you for helping. We are testing the prototype, not you: there are no wrong answers.
Please think aloud as you go.

Tasks (15 min)
1. You want to ... Show me how you would do it.
2. Find ... and change it.
3. Something went wrong: what would you do now?

Wrap-up (5 min)
- What was easiest? What was hardest?
- If you could change one thing, what would it be?
- On a scale of 1 to 5, how likely are you to use this?"""

_SCRIPT_PT = """Introdução (2 min)
Obrigado por ajudar. Estamos testando o protótipo, não você: não há resposta errada.
Por favor, pense em voz alta.

Tarefas (15 min)
1. Você quer ... Mostre como faria.
2. Encontre ... e altere.
3. Algo deu errado: o que você faria agora?

Encerramento (5 min)
- O que foi mais fácil? O que foi mais difícil?
- Se pudesse mudar uma coisa, qual seria?
- De 1 a 5, qual a chance de você usar isto?"""


def _usability_test(say: Say) -> Content:
    prototype = {
        "id": "proto-1",
        "title": say("Prototype to test (rename me)", "Protótipo a testar (renomeie)"),
        "description": say(
            "What it is, and what you want to learn from testing it.",
            "O que é, e o que você quer aprender ao testá-lo.",
        ),
        "fidelity": "low",
    }
    test = {
        "id": "test-1",
        "title": say("Usability test script", "Roteiro de teste de usabilidade"),
        "prototypeId": "proto-1",
        "script": say(_SCRIPT_EN, _SCRIPT_PT),
    }
    return Content(_doc(prototypes=[prototype], tests=[test]), {})


def _retrospective(say: Say) -> Content:
    groups = [
        ("went-well", say("Went well", "Foi bem"), "green"),
        ("to-improve", say("To improve", "A melhorar"), "orange"),
        ("actions", say("Actions", "Ações"), "blue"),
    ]
    clusters = {key: _cluster(key, name) for key, name, _ in groups}
    prompts = {
        "went-well": say("What helped us this week?", "O que nos ajudou nesta semana?"),
        "to-improve": say("What slowed us down?", "O que nos atrasou?"),
        "actions": say("One thing we will try next (with an owner)",
                       "Uma coisa que vamos tentar a seguir (com um responsável)"),
    }  # fmt: skip
    ideas = []
    for column, (key, _, colour) in enumerate(groups):
        ideas += _notes(
            [prompts[key]], color=colour, origin=(column * 260.0, 0.0), cluster=key,
            prefix=f"{key}-",
        )  # fmt: skip
    return Content(_doc(ideas=ideas), clusters)


def _example(say: Say) -> Content:
    """A small, finished project to look around in: one of everything, linked up."""
    persona = {
        "id": "ana",
        "name": "Ana",
        "role": say("Graduate student who works evenings", "Pós-graduanda que trabalha à noite"),
        "demographics": say("27, commutes 1 h each way", "27 anos, 1 h de deslocamento por trecho"),
        "bio": say(
            "Ana studies between shifts and can reach the library only after 8 pm, when the "
            "desk is closed. She borrows on her phone and returns late, paying fines.",
            "Ana estuda entre turnos e só consegue ir à biblioteca depois das 20 h, quando o "
            "balcão está fechado. Ela reserva pelo celular e devolve atrasado, pagando multas.",
        ),
        "goals": [say("Borrow books without queueing", "Pegar livros sem fila")],
        "pains": [say("The desk closes before she arrives", "O balcão fecha antes de ela chegar")],
        "gains": [say("Pick up on her way home", "Retirar no caminho de casa")],
        "quote": say("I'd read more if the library kept my hours.",
                     "Eu leria mais se a biblioteca tivesse o meu horário."),
    }  # fmt: skip
    empathy = {
        "id": "ana-map",
        "personaId": "ana",
        "title": say("Ana after a late shift", "Ana depois de um turno tarde"),
        "says": [say('"Is there any way to get it tonight?"', '"Tem como pegar hoje à noite?"')],
        "thinks": [say("The fines are not worth it", "As multas não compensam")],
        "does": [say("Renews online at midnight", "Renova pela internet à meia-noite")],
        "feels": [say("Left out of campus life", "Excluída da vida no campus")],
    }
    pov = {
        "id": "pov",
        "user": say("A student who works evenings", "Uma estudante que trabalha à noite"),
        "need": say("to borrow and return books outside opening hours",
                    "pegar e devolver livros fora do horário de atendimento"),
        "insight": say("because her free time starts when the library closes",
                       "porque o tempo livre dela começa quando a biblioteca fecha"),
    }  # fmt: skip
    hmw = {
        "id": "hmw",
        "povId": "pov",
        "question": say("How might we make the library open when Ana is free?",
                        "Como poderíamos deixar a biblioteca aberta quando a Ana está livre?"),
    }  # fmt: skip
    clusters = {
        "self-service": _cluster("self-service", say("Self-service", "Autoatendimento")),
        "delivery": _cluster("delivery", say("Delivery", "Entrega")),
    }
    ideas = _notes(
        [say("Lockers at the station", "Armários na estação"),
         say("Return box open all night", "Caixa de devolução aberta à noite toda")],
        color="yellow", origin=(0.0, 0.0), cluster="self-service", prefix="self-", columns=2,
    ) + _notes(
        [say("Courier to the dorms", "Entrega nos alojamentos")],
        color="pink", origin=(520.0, 0.0), cluster="delivery", prefix="deliver-",
    )  # fmt: skip
    prototype = {
        "id": "lockers",
        "title": say("Station locker pick-up", "Retirada em armário na estação"),
        "description": say(
            "A paper mock-up of the app screen that gives the locker code, and a shoebox "
            "locker at the station entrance.",
            "Uma maquete em papel da tela do app que mostra o código do armário, e um armário "
            "de caixa de sapato na entrada da estação.",
        ),
        "linkedIdeaIds": ["self-0"],
        "fidelity": "low",
    }
    test = {
        "id": "locker-test",
        "title": say(
            "Can students collect a book alone?", "Estudantes conseguem retirar sozinhos?"
        ),
        "prototypeId": "lockers",
        "script": say(
            "Give the code by SMS. Ask them to collect the book and think aloud.",
            "Envie o código por SMS. Peça para retirarem o livro pensando em voz alta.",
        ),
    }
    results = [
        {
            "id": "result-1",
            "testId": "locker-test",
            "participant": "P1",
            "outcome": "success",
            "notes": say(
                "Found the locker in under a minute.", "Achou o armário em menos de um minuto."
            ),
            "rating": 5,
        },
        {
            "id": "result-2",
            "testId": "locker-test",
            "participant": "P2",
            "outcome": "partial",
            "notes": say("Missed the SMS: wants the code in the app too.",
                         "Não viu o SMS: quer o código no app também."),
            "rating": 3,
        },
    ]  # fmt: skip
    return Content(
        _doc(
            personas=[persona], empathyMaps=[empathy], povStatements=[pov], hmwQuestions=[hmw],
            ideas=ideas, prototypes=[prototype], tests=[test], testResults=results,
        ),
        clusters,
    )  # fmt: skip


_TEMPLATES = (
    Template(
        "personas", "method", Phase.EMPATHIZE,
        ("Personas and empathy map", "Personas e mapa de empatia"),
        ("Two persona starters and an empathy map to fill in after your interviews.",
         "Dois rascunhos de persona e um mapa de empatia para preencher depois das entrevistas."),
        _personas,
    ),
    Template(
        "pov-hmw", "method", Phase.DEFINE,
        ("Point of view and how might we", "Ponto de vista e como poderíamos"),
        ("A point-of-view statement to rewrite with your insight, and three how-might-we "
         "questions it opens.",
         "Uma declaração de ponto de vista para reescrever com o seu insight, e três perguntas "
         "\"como poderíamos\" que ela abre."),
        _pov_hmw,
    ),
    Template(
        "crazy-8s", "method", Phase.IDEATE,
        ("Crazy 8s", "Crazy 8s"),
        ("Eight ideas in eight minutes: eight empty notes in a round, and the rules.",
         "Oito ideias em oito minutos: oito notas vazias em uma rodada, e as regras."),
        _crazy_8s,
    ),
    Template(
        "affinity", "method", Phase.IDEATE,
        ("Affinity clustering", "Agrupamento por afinidade"),
        ("Clusters for needs, pains, surprises and a parking lot, to sort research notes into.",
         "Grupos para necessidades, dores, surpresas e um estacionamento, para organizar as "
         "notas da pesquisa."),
        _affinity,
    ),
    Template(
        "usability-test", "method", Phase.TEST,
        ("Usability test", "Teste de usabilidade"),
        ("A prototype to describe and a test script: introduction, tasks and wrap-up questions.",
         "Um protótipo para descrever e um roteiro de teste: introdução, tarefas e perguntas "
         "finais."),
        _usability_test,
    ),
    Template(
        "retrospective", "method", Phase.IDEATE,
        ("Retrospective", "Retrospectiva"),
        ("Went well, to improve, actions: a board to look back on a sprint or a workshop.",
         "Foi bem, a melhorar, ações: um quadro para olhar para trás em um sprint ou oficina."),
        _retrospective,
    ),
    Template(
        "example", "example", Phase.EMPATHIZE,
        ("Example: a library open after hours", "Exemplo: uma biblioteca aberta fora do horário"),
        ("A small finished project, every phase filled in, to see how the pieces link up.",
         "Um pequeno projeto pronto, com todas as fases preenchidas, para ver como as partes "
         "se ligam."),
        _example,
    ),
)  # fmt: skip

#: The built-in templates by id, in the order they are listed.
BUILT_IN: Final[Mapping[str, Template]] = {t.id: t for t in _TEMPLATES}
#: How many artifacts each built-in template creates (the same in every language), counted
#: once here rather than by building its content for every listing.
ARTIFACTS: Final[Mapping[str, int]] = {t.id: content_of(t, "en").artifacts for t in _TEMPLATES}

#: What a saved template leaves out: what people wrote about real test participants.
_TEST_DATA: Final = ("testResults",)


def strip_for_template(document: Mapping[str, Any]) -> dict[str, Any]:
    """A project's typed document made into a template's: no test results (real people's
    data), no authors (the import path also clears them), every other artifact kept."""
    return {key: value for key, value in document.items() if key not in _TEST_DATA}
