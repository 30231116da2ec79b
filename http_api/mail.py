"""Outgoing e-mail: SMTP when DTTOOLS_SMTP_URL is set, otherwise the log (embedded default)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import structlog

__all__ = ["Mailer"]

_log = structlog.get_logger(__name__)
_TIMEOUT_S = 10.0


class Mailer:
    """Send a plain-text message; failures are logged, never shown to the requester."""

    def __init__(self, smtp_url: str | None, sender: str) -> None:
        self._url = urlsplit(smtp_url) if smtp_url else None
        if self._url is not None and self._url.scheme not in {"smtp", "smtps"}:
            raise ValueError("DTTOOLS_SMTP_URL must start with smtp:// or smtps://")
        self._sender = sender
        #: Messages written to the log instead of sent (read by tests and by operators).
        self.logged: list[EmailMessage] = []

    async def send(self, to: str, subject: str, body: str) -> None:
        """Deliver one message (in a worker thread: smtplib blocks)."""
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
