"""Every built-in template, in every language, is content a REST create would accept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pycrdt import Doc

from collab import schema
from collab.artifacts import KINDS
from collab.import_document import fresh_copy, write_checked
from collab.templates import ARTIFACTS, BUILT_IN, content_of, strip_for_template

NOW = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["en", "pt-BR"])
@pytest.mark.parametrize("template_id", sorted(BUILT_IN))
def test_a_template_writes_what_it_promises(template_id: str, locale: str) -> None:
    content = content_of(BUILT_IN[template_id], locale)
    counter = iter(range(10_000))
    checked = fresh_copy(
        content.document, content.clusters, {}, new_id=lambda: f"new-{next(counter)}", now=NOW
    )
    doc: Doc[Any] = Doc()
    written = write_checked(doc, checked)
    assert written == content.artifacts
    assert written > 0
    assert schema.validate_document(doc) == []
    typed = schema.export_document(doc)
    # fresh ids everywhere, and every reference points at an artifact of the new document
    ids = {item["id"] for kind in KINDS for item in typed[kind]}
    assert not ids & {
        item["id"]
        for items in content.document.values()
        if isinstance(items, list)
        for item in items
    }
    for kind in KINDS.values():
        for item in typed[kind.collection]:
            for ref in kind.references:
                value = item.get(ref.field)
                for target in value if isinstance(value, list) else [value]:
                    assert target is None or target in ids, (template_id, kind.collection, ref)


def test_the_languages_differ_where_people_read() -> None:
    for template in BUILT_IN.values():
        english, portuguese = content_of(template, "en"), content_of(template, "pt-BR")
        assert english.artifacts == portuguese.artifacts == ARTIFACTS[template.id]
        assert template.text(template.description, "en") != template.text(
            template.description, "pt-BR"
        )
        if template.id != "crazy-8s":  # the method's name is the same in both
            assert template.text(template.name, "en") != template.text(template.name, "pt-BR")


def test_clusters_group_the_notes_they_name() -> None:
    content = content_of(BUILT_IN["affinity"], "en")
    named = {note["clusterId"] for note in content.document["ideas"]}
    assert named == set(content.clusters)


def test_a_saved_template_leaves_test_results_out() -> None:
    content = content_of(BUILT_IN["example"], "en")
    assert content.document["testResults"]
    stripped = strip_for_template(content.document)
    assert "testResults" not in stripped
    assert stripped["tests"] == content.document["tests"]
