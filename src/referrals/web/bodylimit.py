"""Refuse request bodies over Settings.max_body_bytes before the app reads them into memory: by the
declared Content-Length when there is one, and by counting chunks as they arrive otherwise. Some paths (the CSV
imports, which stream their body to a temporary file) have a limit of their own (`larger`: path -> bytes)."""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referrals.web.errors import problem


def too_large(limit: int) -> str:
    return f"The request body is larger than {limit} bytes."


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int, message: str = ""):
        super().__init__(413, message or too_large(limit))


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, tuple[int, str]] | None = None):
        """`larger`: path -> (its own limit, the sentence that refuses a body over it)."""
        self.app, self.max_bytes, self.larger = app, max_bytes, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, message = self.larger.get(scope.get("path", ""), (self.max_bytes, ""))
        message = message or too_large(limit)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit, message)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message_in = await receive()
            if message_in["type"] == "http.request":
                seen += len(message_in.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit, message)
            return message_in

        await self.app(scope, counting, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int, message: str) -> None:
        response = problem(413, "payload_too_large", message,
                           fields={"body": f"is over {limit} bytes"}, headers={"Connection": "close"})
        await response(scope, receive, send)
