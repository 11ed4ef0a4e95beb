"""Wake the outbox after a successful write: a change may have queued email, which then leaves now instead of
at the next minute's drain. Plain ASGI: it watches the status line only, so streamed responses (the CSV export)
and every read pass through untouched."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class KickOutboxAfterWrites:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        status = 500

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watching)
        kick = scope["app"].state.kick_outbox  # installed by `referrals serve` (None in tests and benchmarks)
        if kick is not None and status < 400:
            kick()
