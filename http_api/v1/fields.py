"""Field types shared by the v1 request models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = ["Email"]

#: An e-mail address, compared case-insensitively. Deliberately only a shape check: whether an
#: address works is proven by mail reaching it, and a stricter check than the documented
#: pattern would refuse requests the OpenAPI document says are valid.
Email = Annotated[
    str,
    Field(pattern=r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$", min_length=3, max_length=254),
    AfterValidator(str.lower),
]
