"""`/healthz` (liveness: the process answers; it touches nothing else, so a database outage does not get every web
process restarted) and `/readyz` (readiness: the database answers a `SELECT 1`, and Redis a PING when
REFERRALS_REDIS_URL is set, each within `TIMEOUT`; 503 naming what failed, so a load balancer sends no traffic to
a process that cannot serve it).

Each check runs in a thread of its own pool, at most one at a time: a probe that arrives while the previous check
of the same thing still hangs (a database host that drops packets) waits for that check instead of starting
another, so a hung database never piles up threads, and never takes the threads the routes run in."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from threading import Lock
from typing import Any

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from referrals import __version__
from referrals.services.operations import database_answers

log = logging.getLogger("referrals.readiness")
TIMEOUT = 2.0  # seconds for each check
router = APIRouter(tags=["operations"])
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


class Probe:
    """A blocking check, run in `_pool`, one at a time."""

    def __init__(self, name: str, check: Callable[[], Any]):
        self.name, self.check = name, check
        self._running: Future | None = None
        self._lock = Lock()

    async def __call__(self, timeout: float = TIMEOUT) -> str:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = _pool.submit(self.check)
            running = self._running
        waiting = asyncio.wrap_future(running)
        waiting.add_done_callback(_retrieved)  # a check that fails after its timeout must not log "never retrieved"
        done, _ = await asyncio.wait({waiting}, timeout=timeout)
        if not done or waiting.cancelled():
            log.warning("readyz: %s did not answer within %s s", self.name, timeout)
            return "timeout"
        error = waiting.exception()
        if error is not None:
            log.warning("readyz: %s failed: %s", self.name, error)
            return "unreachable"
        return "ok"


def _retrieved(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()


class Readiness(BaseModel):
    status: str  # ok | unavailable
    checks: dict[str, str]  # each check: ok | unreachable | timeout
    failed: list[str]


def probes_for(engine: Any, redis_url: str) -> list[Probe]:
    probes = [Probe("database", lambda: database_answers(engine))]
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        probes.append(Probe("redis", client.ping))
    return probes


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(request: Request) -> JSONResponse:
    probes: list[Probe] = request.app.state.readiness_probes
    results = await asyncio.gather(*(probe() for probe in probes))
    checks = {probe.name: result for probe, result in zip(probes, results, strict=True)}
    failed = [name for name, result in checks.items() if result != "ok"]
    body = Readiness(status="unavailable" if failed else "ok", checks=checks, failed=failed)
    return JSONResponse(body.model_dump(), status_code=503 if failed else 200,
                        headers={"Cache-Control": "no-store"})
