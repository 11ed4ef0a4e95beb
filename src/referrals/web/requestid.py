"""A request id for every request: the caller's `X-Request-Id` when it is sane (1 to 128 letters, digits and
`.-_:`, so a proxy's or a load balancer's id carries through), else a new one. It is answered as the
`X-Request-Id` header and held in a context variable for the request's whole life, so every log line written
while the request runs (the access line, the app's own, those of the thread a sync route runs in) carries it
(`RequestIdFilter`, on every handler of `referrals serve`). Plain ASGI, outermost (see web/kick.py)."""

import logging
import re
import secrets
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def chosen_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            try:
                text = value.decode("ascii")
            except UnicodeDecodeError:
                break
            if _SANE.fullmatch(text):
                return text
            break
    return secrets.token_hex(16)


class RequestId:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = chosen_id(scope)
        token = request_id.set(current)

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = current
            await send(message)

        try:
            await self.app(scope, receive, answering)
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or None outside a request) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True
