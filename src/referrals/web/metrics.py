"""`GET /metrics` (Prometheus text format) and the middleware that times every request.

Requests are labelled by their route's template (`/api/v1/leads/{lead_id}`), never the path a client sent, so
the number of series stays bounded whatever is requested: a path no route matches is `unmatched`, a method
outside the usual seven is `other`. Plain ASGI (web/kick.py), wrapped around the whole stack (web/headers.py:
`wrap_outermost`), so the bare 500 of an unhandled error is counted too.

The backlog gauges (emails and webhooks waiting, the oldest email's age, the job queue's length and lag) are read
at scrape time from the database and the queue, by whichever process answers: the same figure from any of them.
A source that cannot be read leaves its gauges out and says so in `referrals_metrics_source_up{source}`.

Who may read it: with REFERRALS_METRICS_TOKEN set, a request with `Authorization: Bearer <token>` (compared in
constant time; 401 otherwise). Without a token, only a request from this machine that no proxy relayed (the
connection's peer is a loopback address and it carries no X-Forwarded-For or Forwarded header; 403 otherwise),
so a deployment that forgot the token does not show its figures to the internet through its own proxy.
"""

import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from ipaddress import ip_address
from time import perf_counter
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client.core import GaugeMetricFamily
from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referrals import metrics
from referrals.job_queue import backlog as queue_backlog
from referrals.job_queue import make_huey
from referrals.services.operations import backlog
from referrals.web.deps import Now
from referrals.web.errors import problem

log = logging.getLogger("referrals.metrics")
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
router = APIRouter(tags=["operations"])


# -- the middleware ---------------------------------------------------------------------------------------


def route_templates(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[Any, str]]:
    """Every route object with its whole template. FastAPI keeps an included router's routes inside it, each
    with its path below the include's prefix (scope["route"] is that inner route), so the prefixes are added up
    here, once; a route reached otherwise is labelled with its own path."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from route_templates(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            yield route, f"{prefix}{route.path}/{{path}}"
        elif isinstance(getattr(route, "path", None), str):
            yield route, prefix + route.path


class Templates:
    def __init__(self, routes: Iterable[Any]):
        self.by_route: dict[int, list[tuple[str, re.Pattern[str]]]] = {}
        for route, template in route_templates(routes):
            self.by_route.setdefault(id(route), []).append((template, compile_path(template)[0]))

    def of(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            root = scope.get("root_path")  # a mounted app (the static files) sets its mount point
            return f"{root}/{{path}}" if root else UNMATCHED
        candidates = self.by_route.get(id(route))
        if not candidates:
            return getattr(route, "path", None) or UNMATCHED
        if len(candidates) > 1:  # one router included twice: the template that matches
            for template, pattern in candidates:
                if pattern.match(scope["path"]):
                    return template
        return candidates[0][0]


class RequestMetrics:
    def __init__(self, app: ASGIApp):
        self.app = app
        self.templates: Templates | None = None  # built at the first request: every route is there by then

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500  # an error before any answer is sent

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            if self.templates is None:
                self.templates = Templates(scope["app"].routes)
            method = scope["method"] if scope["method"] in METHODS else "other"
            metrics.observe_request(method, self.templates.of(scope), status, perf_counter() - started)


# -- the scrape -------------------------------------------------------------------------------------------


def _gauge(name: str, help_text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, value=value)


class Backlogs:
    """A collector read at each scrape: the database's and the job queue's backlog."""

    def __init__(self, engine: Any, queue: Callable[[], Any], now: datetime):
        self.engine, self.queue, self.now = engine, queue, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("referrals_metrics_source_up", "1 when this scrape could read the source "
                               "(database, jobs), else 0 and its gauges are missing", labels=["source"])
        try:
            found = backlog(self.engine, self.now)
        except Exception:  # a scrape must still answer with the counters when the database is down
            log.warning("metrics: cannot read the outbox backlog", exc_info=True)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield _gauge("referrals_outbox_pending", "Emails waiting to be sent (or retried)", found.emails_pending)
            yield _gauge("referrals_outbox_oldest_pending_age_seconds", "Age of the oldest email waiting; 0 when "
                         "none waits", found.oldest_email_age)
            yield _gauge("referrals_webhooks_pending", "Webhook deliveries waiting to go (or to be retried)",
                         found.webhooks_pending)
        yield from self._jobs(up)
        yield up

    def _jobs(self, up: GaugeMetricFamily) -> Iterator[GaugeMetricFamily]:
        try:
            found = queue_backlog(self.queue(), self.now)
        except Exception:
            log.warning("metrics: cannot read the job queue", exc_info=True)
            up.add_metric(["jobs"], 0)
            return
        up.add_metric(["jobs"], 1)
        yield _gauge("referrals_jobs_pending", "Jobs waiting in the queue for a worker", found.pending)
        if found.oldest_age is not None:
            yield _gauge("referrals_jobs_lag_seconds", "How long the job at the head of the queue has been due; 0 "
                         "when the queue is empty", found.oldest_age)


def _refusal(request: Request, token: str) -> Response | None:
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(hashlib.sha256(given.strip().encode()).digest(),
                                                              hashlib.sha256(token.encode()).digest()):
            return None
        return problem(401, "unauthenticated", "/metrics needs the REFERRALS_METRICS_TOKEN as a bearer token.",
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if _from_this_machine(request):
        return None
    return problem(403, "forbidden", "Set REFERRALS_METRICS_TOKEN to read /metrics from another machine.")


def _from_this_machine(request: Request) -> bool:
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    peer = request.scope.get("client")
    try:
        return peer is not None and ip_address(peer[0]).is_loopback
    except ValueError:
        return False


def _queue(request: Request) -> Any:
    state = request.app.state
    if getattr(state, "metrics_queue", None) is None:  # opened at the first scrape, not for every app
        state.metrics_queue = make_huey(state.settings)
    return state.metrics_queue


@router.get("/metrics", include_in_schema=False)
def read_metrics(request: Request, now: Now) -> Response:
    refusal = _refusal(request, request.app.state.settings.metrics_token)
    if refusal is not None:
        return refusal
    scrape = Backlogs(request.app.state.engine, lambda: _queue(request), now)
    return Response(metrics.render([scrape]), media_type=metrics.CONTENT_TYPE)
