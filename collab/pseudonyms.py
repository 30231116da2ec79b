"""Replacing a deleted account's identity by its pseudonym, in documents and in stored JSON.

When a person deletes their account (docs/privacy.md), what they wrote stays for the team but
"who wrote it" becomes a pseudonym: ``removed-participant-7`` where an account id was, "Removed
participant 7" where a name was. The pseudonym has no link back to the person; it is the same
in every project, so a team still sees that two notes came from the same former participant.

Pure code: the callers (http_api/account_erasure.py) find the documents and rows and store the
results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from pycrdt import Doc, Map

from collab.artifacts import KINDS
from collab.i18n import Text, msg

__all__ = [
    "AUTHOR_FIELDS",
    "Identity",
    "pseudonym_ref",
    "pseudonym_number",
    "pseudonym_name",
    "entry_keys",
    "replace_author",
    "scrub",
]

#: Fields of a document entry that name its author by account id (the browser's clusters root
#: included: it is not an artifact kind, but its entries carry ``createdBy`` too).
AUTHOR_FIELDS: Final = ("createdBy", "authorId")
_ROOTS: Final = (*KINDS, "clusters")
_PREFIX: Final = "removed-participant-"


def pseudonym_ref(number: int) -> str:
    """What stands where the account id stood: in documents, events and results."""
    return f"{_PREFIX}{number}"


def pseudonym_number(ref: object) -> int | None:
    """The number of a pseudonym reference; None for anything else."""
    if not isinstance(ref, str) or not ref.startswith(_PREFIX):
        return None
    digits = ref[len(_PREFIX) :]
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None


def pseudonym_name(number: int) -> Text:
    """What stands where the person's name stood (translated where it is shown)."""
    return msg("Removed participant {number}", number=number)


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies a person in stored values, and what replaces it."""

    user_id: str
    email: str
    name: str
    ref: str
    display_name: str

    def scrub_text(self, value: str) -> str:
        """``value`` with the account id and e-mail replaced wherever they occur in it, and
        replaced whole if it is exactly the person's name.

        Ids and addresses are unique enough to replace inside longer strings (private room
        names hold the id); a name is not ("Ana" is inside "Mariana"), so only a value that is
        the name and nothing else is replaced.
        """
        if value == self.name:
            return self.display_name
        if self.user_id in value:
            value = value.replace(self.user_id, self.ref)
        if self.email and self.email.lower() in value.lower():
            value = _replace_folded(value, self.email, self.ref)
        return value


def _replace_folded(value: str, needle: str, replacement: str) -> str:
    """``value`` with every case-insensitive occurrence of ``needle`` replaced."""
    folded, target, out, start = value.lower(), needle.lower(), [], 0
    while (found := folded.find(target, start)) >= 0:
        out.append(value[start:found])
        out.append(replacement)
        start = found + len(target)
    out.append(value[start:])
    return "".join(out)


def scrub(value: Any, identity: Identity) -> Any:
    """A JSON value (dicts, lists, strings, numbers) with ``identity`` replaced everywhere,
    keys included; values that are not strings are returned as they are."""
    if isinstance(value, str):
        return identity.scrub_text(value)
    if isinstance(value, list):
        return [scrub(item, identity) for item in value]
    if isinstance(value, dict):
        return {identity.scrub_text(k): scrub(v, identity) for k, v in value.items()}
    return value


def entry_keys(doc: Doc[Any]) -> list[tuple[str, str]]:
    """Every (root, key) of the roots that may name authors, for :func:`replace_author` to go
    through a slice at a time: one pass over a 5,000-note board takes tens of milliseconds,
    too long to hold the event loop that relays every room (docs/benchmarks.md)."""
    present = set(doc.keys())  # only roots that exist: reading one would create it
    return [
        (root_name, key)
        for root_name in _ROOTS
        if root_name in present
        for key in doc.get(root_name, type=Map)
    ]


def replace_author(
    doc: Doc[Any], old: str, new: str, keys: Iterable[tuple[str, str]] | None = None
) -> int:
    """Write ``new`` wherever an entry of ``doc`` names ``old`` as its author; return how many
    fields changed. One transaction: one update for everyone in the room.

    ``keys``: only these entries (from :func:`entry_keys`; those gone since are skipped);
    None: every entry. Only author fields change (not ``updatedAt``: the content did not).
    """
    changed = 0
    roots: dict[str, Map[Any]] = {}
    with doc.transaction():
        for root_name, key in entry_keys(doc) if keys is None else keys:
            if root_name not in _ROOTS:
                continue
            root = roots.get(root_name)
            if root is None:
                root = roots[root_name] = doc.get(root_name, type=Map)
            entry = root.get(key)
            if not isinstance(entry, Map):
                continue
            for field in AUTHOR_FIELDS:
                if entry.get(field) == old:
                    entry[field] = new
                    changed += 1
    return changed
