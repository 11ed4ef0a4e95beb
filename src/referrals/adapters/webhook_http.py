"""Calling a webhook endpoint: resolve its host, refuse it when any address it resolves to is not public (unless the
host is allowed by the operator), then connect to that very address, so a DNS answer that changes between the check
and the connection (rebinding) cannot reach the internal network. HTTPS still verifies the certificate for the host
name. The standard library is enough: one POST, no redirects followed (a 3xx is a failed delivery)."""

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from referrals.domain.errors import DomainError
from referrals.domain.webhooks import TIMEOUT, address_problem, check_url, is_allowed_host


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no answer (refused, unreachable, timed out)
    error: str = ""


class Refused(Exception):
    """The endpoint may not be called (its URL or an address its host resolves to)."""


def resolve(host: str, port: int, allow_hosts: list[str]) -> str:
    """The address to connect to: the first the host resolves to, after checking every one of them."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:  # unknown name, no DNS, a label too long, a NUL
        raise Refused(f"{host} does not resolve ({error})") from None
    addresses = [info[4][0] for info in found]
    if not is_allowed_host(host, allow_hosts):
        for address in addresses:
            if problem := address_problem(address.split("%")[0]):  # an IPv6 address may carry its zone
                raise Refused(f"{host} resolves to {problem}")
    return addresses[0]


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str], allow_hosts: list[str]) -> Answer:
    """POST `body` to `url` within the timeout; raises Refused for an endpoint that may not be called."""
    try:
        scheme, host, port = check_url(url, allow_hosts)
    except DomainError as error:
        raise Refused(error.message) from None
    address = resolve(host, port, allow_hosts)
    kind = _PinnedTLS if scheme == "https" else _Pinned
    connection = kind(host, port, address, TIMEOUT.total_seconds())
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body,
                           headers={"Content-Type": "application/json", "User-Agent": "Referrals-Webhooks/1",
                                    **headers})
        response = connection.getresponse()
        response.read(65536)
        return Answer(response.status)
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
