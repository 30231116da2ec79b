"""Close values: reasons fit in a WebSocket close frame."""

from __future__ import annotations

from collab.close import Close, CloseCode


class TestClose:
    def test_short_reason_is_kept(self) -> None:
        """A short reason is unchanged."""
        assert Close(CloseCode.PROTOCOL_ERROR, "bad").reason == "bad"

    def test_long_reason_is_trimmed_to_123_bytes_without_splitting_characters(self) -> None:
        """Reasons are cut to 123 UTF-8 bytes at a character boundary."""
        close = Close(CloseCode.INVALID_PAYLOAD, "é" * 100)
        encoded = close.reason.encode()
        assert len(encoded) <= 123
        assert close.reason == "é" * 61

    def test_application_codes_are_in_the_private_range(self) -> None:
        """Our own codes use 4000-4999."""
        for code in CloseCode:
            assert 1000 <= code < 1015 or 4000 <= code < 5000
