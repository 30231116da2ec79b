"""Field types shared by the v1 request models."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

__all__ = ["Email", "Timestamp", "Name", "ONE_LINE"]

#: An e-mail address, compared case-insensitively. Deliberately only a shape check: whether an
#: address works is proven by mail reaching it, and a stricter check than the documented
#: pattern would refuse requests the OpenAPI document says are valid.
Email = Annotated[
    str,
    Field(
        pattern=r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s.\x00-\x1f\x7f-\x9f]+"
        r"(\.[^@\s.\x00-\x1f\x7f-\x9f]+)+$",
        min_length=3,
        max_length=254,
    ),
    AfterValidator(str.lower),
]

_ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_only(value: Any) -> Any:
    """Refuse what pydantic would otherwise read as a Unix time ("0.5"): the schema says
    date-time, so only RFC 3339 text is a timestamp here."""
    if isinstance(value, str) and not _ISO_8601.match(value):
        raise ValueError("expected an RFC 3339 date-time such as 2026-01-31T09:00:00Z")
    return value


#: An RFC 3339 date-time with a UTC offset (``Z`` or ``+01:00``).
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_only)]


#: A display name (person, project, key): one line of printable text, no control characters,
#: so names are safe to show in logs, e-mails, exports and the page as they are.
ONE_LINE = r"^[^\x00-\x1f\x7f]+$"
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]
