"""Read your own writes while reads go to a replica (REFERRALS_DATABASE_READ_URL, store/replica.py).

A replica may be up to REFERRALS_READ_MAX_LAG_SECONDS behind. After a successful write (a page's POST, which
redirects to the page that shows its result, or an API call that changes something), the answer carries a short
cookie, `referrals_fresh`, holding the moment until which that browser's reads stay on the primary: the lag limit
plus two checks of the replica (a change not replayed yet makes the replica older than that limit within two
checks, and from then on it is skipped anyway). Clients without cookies (most API scripts) read from the replica
at once and may see their change up to that many seconds late.

The cookie is not signed: all it can do is send that client's reads to the primary for a few seconds, which it
may ask for anyway by writing. A value further ahead than the window is ignored.

Plain ASGI like web/kick.py: it watches the status line and adds one header.
"""

import math
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "referrals_fresh"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def window(max_lag: float, check_interval: float) -> float:
    return max_lag + 2 * check_interval


def wants_primary(request: Request, seconds: float) -> bool:
    """Whether this client wrote within the last `seconds` (its cookie's moment is still ahead)."""
    try:
        until = float(request.cookies.get(COOKIE, ""))
    except ValueError:
        return False
    return time.time() < until <= time.time() + seconds


class ReadYourWrites:
    def __init__(self, app: ASGIApp, *, seconds: float, https: bool):
        self.app, self.seconds = app, seconds
        self.attributes = f"Max-Age={math.ceil(seconds)}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if https
                                                                                           else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return

        async def marking(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                until = time.time() + self.seconds
                MutableHeaders(scope=message).append("set-cookie", f"{COOKIE}={until:.3f}; {self.attributes}")
            await send(message)

        await self.app(scope, receive, marking)
