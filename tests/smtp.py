"""A real SMTP server for the email tests (aiosmtpd on a free local port), recording what it accepts."""

import asyncio
import email
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


@dataclass
class Recorder:
    messages: list[EmailMessage] = field(default_factory=list)
    mode: str = "accept"  # accept | refuse_temp | refuse_perm
    delay: float = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if self.mode == "refuse_temp":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "refuse_perm":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @property
    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]).strip() for m in self.messages]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpServer":
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False

    def restart(self) -> None:
        """The same server back on the same port (a Controller cannot be started twice)."""
        self.stop()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.start()
