"""Sending one email over SMTP. Permanent refusals (5xx) and transient failures are told apart so the
outbox knows whether to retry."""

import smtplib
import socket
import ssl
import threading
from email.message import EmailMessage

from referrals.config import Settings


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


class TransientFailure(Exception):
    """The server was unreachable, dropped the connection or asked us to retry later (4xx)."""


SEND_DEADLINE = 60.0  # seconds for a whole send: the outbox's two-minute lease must outlast it


class SmtpMailer:
    def __init__(self, settings: Settings, timeout: float = 20.0, deadline: float = SEND_DEADLINE):
        self.settings = settings
        self.timeout = timeout  # a step (connect, each reply)
        self.deadline = deadline  # the whole send: a server answering a byte at a time cannot stretch it

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            if s.smtp_tls == "tls":
                client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
            watchdog = threading.Timer(self.deadline, _cut, (client,))
            watchdog.start()
            try:
                with client:
                    if s.smtp_tls == "starttls":
                        client.starttls(context=ssl.create_default_context())
                    if s.smtp_user:
                        client.login(s.smtp_user, s.smtp_password)
                    client.send_message(message)
            finally:
                watchdog.cancel()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise (PermanentFailure if all(c >= 500 for c in codes) else TransientFailure)(str(error)) from error
        except smtplib.SMTPResponseException as error:
            raise (PermanentFailure if error.smtp_code >= 500 else TransientFailure)(
                f"{error.smtp_code} {error.smtp_error!r}"
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientFailure(f"{type(error).__name__}: {error}") from error


def _cut(client: smtplib.SMTP) -> None:
    """Past the deadline: shut the connection, so the blocked send fails (and is retried later) instead of outliving
    its claim on the message."""
    try:
        if client.sock is not None:
            client.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def build_message(*, sender: str, recipient: str, subject: str, text: str, html: str, key: str) -> EmailMessage:
    """The Message-ID derives from the idempotency key, so a receiver can recognise a rare resend."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "referrals.local"
    message["Message-ID"] = f"<{message_id_for(key)}@{domain}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def message_id_for(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in key)
