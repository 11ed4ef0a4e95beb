"""Security headers on every answer: pages, the JSON API, errors, static files and the offline /docs.

The pages run no inline script or style (their behaviour is static/app.js, their look static/app.css), so
their policy allows only this origin's files. The offline API documentation (fastapi-offline's Swagger UI and
ReDoc) starts itself with an inline <script>: those few pages get a policy of their own that allows exactly
the inline scripts they were served with, by hash, computed from the page as it leaves.

Plain ASGI (see web/kick.py): it rewrites the response's start message and, only for the documentation pages,
holds their small HTML body until it has hashed it. `wrap_outermost` places it around Starlette's own error
middleware too, so even the bare 500 of an unhandled error carries the headers.
"""

import base64
import hashlib
import re
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The documentation pages may also run the inline scripts they were served with, by hash.
DOCS_POLICY = (
    "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# ReDoc writes its styles as <style> elements from script and searches in a worker made from a blob: inline
# styles and blob workers there, never inline scripts.
REDOC_POLICY = (
    "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PAGES = {"/docs": DOCS_POLICY, "/docs/oauth2-redirect": DOCS_POLICY, "/redoc": REDOC_POLICY}
HSTS = "max-age=31536000"  # a year; no includeSubDomains: the operator's other hosts are not ours to pin

COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(html: bytes) -> list[str]:
    """The CSP source of each inline script of a page: 'sha256-<base64 of the digest of its text>'."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)]


def docs_policy(path: str, html: bytes) -> str:
    return DOCS_PAGES[path].format(scripts=" ".join(["'self'", *inline_script_hashes(html)]))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool):
        self.app = app
        self.fixed = [*COMMON, *((("Strict-Transport-Security", HSTS),) if https else ())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] in DOCS_PAGES:
            await self._documentation(scope, receive, send)
        else:
            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    self._put(message, PAGE_POLICY)
                await send(message)

            await self.app(scope, receive, sending)

    async def _documentation(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        body: list[bytes] = []

        async def holding(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                whole = b"".join(body)
                self._put(start, docs_policy(scope["path"], whole))
                await send(start)
                await send({"type": "http.response.body", "body": whole})

        await self.app(scope, receive, holding)

    def _put(self, start: Message, policy: str) -> None:
        headers = MutableHeaders(scope=start)
        for name, value in [("Content-Security-Policy", policy), *self.fixed]:
            if name not in headers:  # a response that chose its own value keeps it
                headers[name] = value


def wrap_outermost(app, wrapper: Callable[[ASGIApp], ASGIApp]) -> None:
    """Wrap a Starlette app's whole middleware stack, its ServerErrorMiddleware included (add_middleware
    places middleware inside that one, where the 500 it sends for an unhandled error never passes)."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: wrapper(build())
