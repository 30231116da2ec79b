"""verify_webhook: signed with standardwebhooks itself, verified by the SDK."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from dttools_sdk import WebhookVerificationError, verify_webhook
from standardwebhooks import Webhook

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
EVENT = {
    "id": "3f0c7c1e-1111-4a1a-9c9c-000000000001",
    "type": "idea.created",
    "project_id": "3f0c7c1e-2222-4a1a-9c9c-000000000002",
    "created_at": "2026-03-01T10:00:00+00:00",
    "data": {"idea": {"id": "i1", "text": "Kiosk"}, "source": "brainstorm"},
}


def signed(body: bytes, *, at: datetime | None = None, msg_id: str = "msg_1") -> dict[str, str]:
    """The headers a Standard Webhooks sender puts on ``body``."""
    moment = at or datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(msg_id, moment, body),
    }


class TestVerifyWebhook:
    def test_a_signed_event_verifies(self) -> None:
        """The event comes back as a dict; header case does not matter."""
        body = json.dumps(EVENT).encode()
        headers = {name.title(): value for name, value in signed(body).items()}
        assert verify_webhook(body, headers, SECRET) == EVENT

    def test_tampered_body_is_refused(self) -> None:
        """One changed byte of the body fails the signature."""
        body = json.dumps(EVENT).encode()
        headers = signed(body)
        with pytest.raises(WebhookVerificationError, match="signature"):
            verify_webhook(body.replace(b"Kiosk", b"Kiosq"), headers, SECRET)

    def test_other_secret_is_refused(self) -> None:
        """A body signed with another endpoint's secret fails."""
        body = json.dumps(EVENT).encode()
        other = "whsec_" + base64.b64encode(b"another secret, thirty-two bytes").decode()
        with pytest.raises(WebhookVerificationError):
            verify_webhook(body, signed(body), other)

    def test_old_timestamp_is_refused(self) -> None:
        """A correctly signed message from ten minutes ago is a replay: refused."""
        body = json.dumps(EVENT).encode()
        headers = signed(body, at=datetime.now(UTC) - timedelta(minutes=10))
        with pytest.raises(WebhookVerificationError, match="too old"):
            verify_webhook(body, headers, SECRET)

    def test_missing_headers_are_refused(self) -> None:
        """Without the signature header nothing is trusted."""
        body = json.dumps(EVENT).encode()
        headers = signed(body)
        del headers["webhook-signature"]
        with pytest.raises(WebhookVerificationError, match="headers"):
            verify_webhook(body, headers, SECRET)

    @pytest.mark.parametrize(("body", "problem"), [(b"[1, 2]", "list"), (b"not json", "refused")])
    def test_body_must_be_a_json_object(self, body: bytes, problem: str) -> None:
        """A correctly signed body that is not a JSON object is still refused."""
        with pytest.raises(WebhookVerificationError, match=problem):
            verify_webhook(body, signed(body), SECRET)
