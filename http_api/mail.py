"""Outgoing e-mail: SMTP when DTTOOLS_SMTP_URL is set, otherwise the log (embedded default).

Requests never wait for mail. A request that sends one only puts it in a bounded queue
(:meth:`Mailer.enqueue`), and a few background workers deliver it: an SMTP round trip inside
the request would make "this address has an account" measurably slower than "it has not"
(account enumeration by timing), and a slow mail server would hold requests open.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import structlog

__all__ = ["Mailer"]

_log = structlog.get_logger(__name__)
_TIMEOUT_S = 10.0
#: Messages waiting for delivery before new ones are dropped (and logged): memory stays
#: bounded however hard sign-up and reset requests are pushed.
QUEUE_SIZE = 1000
#: Deliveries in flight at once (each an SMTP session in a worker thread).
WORKERS = 4


class Mailer:
    """Send a plain-text message; failures are logged, never shown to the requester."""

    def __init__(self, smtp_url: str | None, sender: str, queue_size: int = QUEUE_SIZE) -> None:
        self._url = urlsplit(smtp_url) if smtp_url else None
        if self._url is not None and self._url.scheme not in {"smtp", "smtps"}:
            raise ValueError("DTTOOLS_SMTP_URL must start with smtp:// or smtps://")
        self._sender = sender
        self._queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue(queue_size)
        #: Messages written to the log instead of sent (read by tests and by operators).
        self.logged: list[EmailMessage] = []

    def enqueue(self, to: str, subject: str, body: str) -> None:
        """Hand a message to the background workers; never waits, never raises.

        A full queue drops the message (logged as ``email_dropped``): the requester sees the
        same answer either way, and can ask again.
        """
        try:
            self._queue.put_nowait((to, subject, body))
        except asyncio.QueueFull:
            _log.error("email_dropped", to=to, subject=subject, reason="queue full")

    async def drain(self) -> None:
        """Wait until every queued message has been delivered or has failed (tests, shutdown)."""
        await self._queue.join()

    @asynccontextmanager
    async def running(self, drain_timeout_s: float, workers: int = WORKERS) -> AsyncIterator[None]:
        """Deliver queued messages in the background while the context is open.

        On exit, messages still queued get up to ``drain_timeout_s`` to go out; whatever is left
        then is logged as dropped (a lost reset or sign-up link is asked for again).
        """
        tasks = [asyncio.create_task(self._work(), name=f"mailer-{n}") for n in range(workers)]
        try:
            yield
        finally:
            with suppress(TimeoutError):
                async with asyncio.timeout(drain_timeout_s):
                    await self.drain()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with suppress(asyncio.CancelledError):
                    await task
            while not self._queue.empty():
                to, subject, _ = self._queue.get_nowait()
                _log.error("email_dropped", to=to, subject=subject, reason="shutting down")

    async def _work(self) -> None:
        while True:
            to, subject, body = await self._queue.get()
            try:
                await self.send(to, subject, body)
            except Exception:  # a worker must survive any one message
                _log.exception("email_failed", to=to, subject=subject)
            finally:
                self._queue.task_done()

    async def send(self, to: str, subject: str, body: str) -> None:
        """Deliver one message now (in a worker thread: smtplib blocks); requests use enqueue."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        if self._url is None:
            self.logged.append(message)
            _log.info("email_not_sent_no_smtp", to=to, subject=subject, body=body)
            return
        try:
            await asyncio.to_thread(self._deliver, message)
        except (OSError, smtplib.SMTPException) as exc:
            _log.error("email_failed", to=to, subject=subject, error=str(exc))
        else:
            _log.info("email_sent", to=to, subject=subject)

    def _deliver(self, message: EmailMessage) -> None:
        url = self._url
        assert url is not None
        host = url.hostname or "localhost"
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if url.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(host, url.port or 465, timeout=_TIMEOUT_S, context=context)
        else:
            smtp = smtplib.SMTP(host, url.port or 587, timeout=_TIMEOUT_S)
        with smtp:
            if url.scheme == "smtp":
                # has_extn() reads the EHLO reply: without this EHLO it is always False.
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                elif url.username:
                    # No STARTTLS offered (or stripped by someone in between): never send the
                    # password in clear text.
                    raise smtplib.SMTPNotSupportedError(
                        "server does not offer STARTTLS: not sending credentials in clear text"
                    )
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(message)
