"""Check that a webhook came from your DTTools server (Standard Webhooks signatures).

A receiver passes the raw body and the headers of the request it got; only a body whose
signature verifies with the endpoint's secret, sent within five minutes of now, is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import standardwebhooks

from dttools_sdk.errors import WebhookVerificationError

__all__ = ["verify_webhook"]


def verify_webhook(
    payload: bytes | str, headers: Mapping[str, str], secret: str | bytes
) -> dict[str, Any]:
    """Verify a webhook and return its event (``{"id", "type", "project_id", ...}``).

    Args:
        payload: the request body exactly as received: re-serialised JSON does not verify.
        headers: the request headers; ``webhook-id``, ``webhook-timestamp`` and
            ``webhook-signature`` are read, in any case.
        secret: the endpoint's signing secret (``whsec_...``, or its raw bytes).

    Raises:
        WebhookVerificationError: a header is missing, the timestamp is more than five
            minutes away from now (a replay), the signature does not match the body, or
            the body is not a JSON object. Deduplicate on the event's ``id`` as well:
            delivery is at least once.
    """
    try:
        verifier = standardwebhooks.Webhook(secret)
        event = verifier.verify(payload, dict(headers))
    except standardwebhooks.WebhookVerificationError as exc:
        raise WebhookVerificationError(f"webhook refused: {exc}") from None
    except ValueError as exc:  # a body that verifies but is not JSON, a secret not in base64
        raise WebhookVerificationError(f"webhook refused: {exc}") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError(
            f"webhook refused: the body is a JSON {type(event).__name__}, not an object"
        )
    return event
