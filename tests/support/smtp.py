"""A minimal SMTP server on loopback that keeps what it receives (RFC 5321, no TLS)."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Self

__all__ = ["SmtpSink"]


class SmtpSink:
    """Accept mail on 127.0.0.1 and record every command and message.

    Args:
        starttls: advertise STARTTLS in the EHLO reply (the command itself is refused with
            454, since the sink has no certificate: enough to see a client ask for it).
        hold: while this event is not set, connections are accepted but not greeted: a mail
            server that has stalled (set it before leaving the context).
    """

    def __init__(self, *, starttls: bool = False, hold: asyncio.Event | None = None) -> None:
        self._starttls = starttls
        self._hold = hold
        #: connections accepted so far (greeted or held)
        self.connections = 0
        self.connected = asyncio.Event()
        self._server: asyncio.Server | None = None
        #: every command line received, in order (DATA content excluded)
        self.commands: list[str] = []
        self.messages: list[EmailMessage] = []

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def verbs(self) -> list[str]:
        """The command verbs received, upper-cased (``EHLO``, ``MAIL``, ...)."""
        return [command.split(" ", 1)[0].upper() for command in self.commands]

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(*lines: str) -> None:
            writer.write("".join(f"{line}\r\n" for line in lines).encode())
            await writer.drain()

        self.connections += 1
        self.connected.set()
        try:
            if self._hold is not None:
                await self._hold.wait()
            await reply("220 sink ESMTP")
            while line := await reader.readline():
                command = line.decode().rstrip("\r\n")
                self.commands.append(command)
                verb = command.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    features = ["250-sink", "250-AUTH PLAIN", "250 8BITMIME"]
                    if self._starttls:
                        features.insert(1, "250-STARTTLS")
                    await reply(*features)
                elif verb == "STARTTLS":
                    await reply("454 TLS not available")
                elif verb == "AUTH":
                    await reply("235 accepted")
                elif verb == "DATA":
                    await reply("354 end with <CRLF>.<CRLF>")
                    data = await reader.readuntil(b"\r\n.\r\n")
                    # undo dot-stuffing, then the wire's CRLF line ends
                    raw = data[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
                    raw = raw.replace(b"\r\n", b"\n")
                    parsed = message_from_bytes(raw, policy=policy.default)
                    assert isinstance(parsed, EmailMessage)
                    self.messages.append(parsed)
                    await reply("250 queued")
                elif verb == "QUIT":
                    await reply("221 bye")
                    break
                else:
                    await reply("250 ok")
        finally:
            writer.close()
            await writer.wait_closed()
