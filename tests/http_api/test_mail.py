"""Outgoing e-mail: to the log without SMTP, through SMTP when configured, never raising."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from http_api.mail import Mailer
from tests.support.ports import free_port
from tests.support.smtp import SmtpSink
from tests.support.timing import TIMEOUT

SENDER = "DTTools <no-reply@example.org>"


class TestMailer:
    async def test_without_smtp_messages_are_kept_and_logged(self) -> None:
        """With no SMTP URL a message is kept in ``logged`` with its headers and body."""
        mailer = Mailer(None, SENDER)
        await mailer.send("ada@example.org", "Hello", "line one\nline two\n")
        [message] = mailer.logged
        assert message["From"] == SENDER
        assert message["To"] == "ada@example.org"
        assert message["Subject"] == "Hello"
        assert message.get_content() == "line one\nline two\n"

    @pytest.mark.parametrize("url", ["http://mail.example.org", "mail.example.org:25"])
    def test_only_smtp_urls_are_accepted(self, url: str) -> None:
        """A URL that is not smtp:// or smtps:// is a configuration error at start."""
        with pytest.raises(ValueError, match="smtp://"):
            Mailer(url, SENDER)

    async def test_message_is_delivered_over_smtp(self) -> None:
        """With an SMTP URL the message reaches the server, and nothing is kept locally."""
        async with SmtpSink() as sink:
            mailer = Mailer(f"smtp://127.0.0.1:{sink.port}", SENDER)
            await mailer.send("ada@example.org", "Reset", "open this link\n")
        [message] = sink.messages
        assert message["From"] == SENDER
        assert message["To"] == "ada@example.org"
        assert message["Subject"] == "Reset"
        assert message.get_content() == "open this link\n"
        assert mailer.logged == []
        assert "AUTH" not in sink.verbs()

    async def test_starttls_is_used_when_offered(self) -> None:
        """When the server offers STARTTLS the mailer asks for it before anything else."""
        async with SmtpSink(starttls=True) as sink:
            mailer = Mailer(f"smtp://user:secret@127.0.0.1:{sink.port}", SENDER)
            # The sink refuses TLS: the send fails, quietly, and nothing is sent in clear.
            await mailer.send("ada@example.org", "Reset", "open this link\n")
        assert sink.verbs()[:2] == ["EHLO", "STARTTLS"]
        assert "AUTH" not in sink.verbs()
        assert "MAIL" not in sink.verbs()
        assert sink.messages == []

    async def test_credentials_are_never_sent_in_clear(self) -> None:
        """Without STARTTLS on offer, a mailer with credentials refuses to log in or send."""
        async with SmtpSink() as sink:
            mailer = Mailer(f"smtp://user:secret@127.0.0.1:{sink.port}", SENDER)
            await mailer.send("ada@example.org", "Reset", "open this link\n")
        assert "AUTH" not in sink.verbs()
        assert not any("secret" in command for command in sink.commands)
        assert sink.messages == []

    async def test_unreachable_server_does_not_raise(self) -> None:
        """A refused connection is logged, not raised to the request that sent the mail."""
        mailer = Mailer(f"smtp://127.0.0.1:{free_port()}", SENDER)
        await mailer.send("ada@example.org", "Reset", "open this link\n")
        assert mailer.logged == []


class TestQueue:
    async def test_queued_messages_are_delivered_in_the_background(self) -> None:
        """enqueue returns at once; the workers deliver every message, in order per worker."""
        async with SmtpSink() as sink:
            mailer = Mailer(f"smtp://127.0.0.1:{sink.port}", SENDER)
            async with mailer.running(drain_timeout_s=TIMEOUT, workers=1):
                for n in range(3):
                    mailer.enqueue("ada@example.org", f"Message {n}", "body\n")
                await mailer.drain()
        assert [m["Subject"] for m in sink.messages] == ["Message 0", "Message 1", "Message 2"]

    async def test_a_stalled_server_does_not_hold_the_caller(self) -> None:
        """With the mail server not answering, enqueue still returns at once."""
        hold = asyncio.Event()
        async with SmtpSink(hold=hold) as sink:
            mailer = Mailer(f"smtp://127.0.0.1:{sink.port}", SENDER)
            async with mailer.running(drain_timeout_s=TIMEOUT):
                mailer.enqueue("ada@example.org", "Reset", "link\n")
                async with asyncio.timeout(TIMEOUT):
                    await sink.connected.wait()
                assert sink.messages == []
                hold.set()
                await mailer.drain()
        assert [m["Subject"] for m in sink.messages] == ["Reset"]

    async def test_failures_are_logged_and_the_worker_goes_on(self) -> None:
        """A refused connection is logged as email_failed; the next message is still tried."""
        mailer = Mailer(f"smtp://127.0.0.1:{free_port()}", SENDER)
        with capture_logs() as logs:
            async with mailer.running(drain_timeout_s=TIMEOUT, workers=1):
                mailer.enqueue("ada@example.org", "First", "body\n")
                mailer.enqueue("bob@example.org", "Second", "body\n")
                await mailer.drain()
        failed = [entry["to"] for entry in logs if entry["event"] == "email_failed"]
        assert failed == ["ada@example.org", "bob@example.org"]

    async def test_a_full_queue_drops_and_logs(self) -> None:
        """Past the queue's bound, messages are dropped (email_dropped), never waited for."""
        mailer = Mailer(None, SENDER, queue_size=2)
        with capture_logs() as logs:
            for n in range(3):
                mailer.enqueue("ada@example.org", f"Message {n}", "body\n")
            async with mailer.running(drain_timeout_s=TIMEOUT):
                await mailer.drain()
        assert [m["Subject"] for m in mailer.logged] == ["Message 0", "Message 1"]
        dropped = [entry for entry in logs if entry["event"] == "email_dropped"]
        assert [entry["subject"] for entry in dropped] == ["Message 2"]
