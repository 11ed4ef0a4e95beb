"""What the request middleware costs the lead list: `GET /api/v1/leads` (50 rows) against three copies of the app
served by uvicorn in this process: as shipped (request id + metrics), without the metrics middleware, and without
either. They take turns, in rounds of `--requests` requests each (after a warm-up), so a busy moment on the machine
hurts none alone; prints p50/p95 per copy over every round and the best round's p50. Then the middleware's own
cost, free of the network and the database: a trivial ASGI app called directly, bare and inside each middleware,
`--calls` times each (best of three), in microseconds a request.

    .venv/bin/python bench/metrics_overhead.py [--leads 2000] [--requests 200] [--rounds 5]
"""

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from referrals.config import Settings
from referrals.store.db import make_engine
from referrals.web import app as app_module
from referrals.web import metrics as metrics_web
from referrals.web.requestid import RequestId

REFERRALS = str(Path(sys.executable).with_name("referrals"))
VARIANTS = ("shipped", "no metrics", "neither")
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 (a throw-away database)


def _referrals(*args: str, db: str) -> str:
    return subprocess.run([REFERRALS, *args, "--db", db], capture_output=True, text=True, check=True).stdout


def seed(db: str, leads: int) -> str:
    _referrals("migrate", db=db)
    _referrals("demo", "--leads", str(leads), db=db)
    return json.loads(_referrals("tokens", "create", "admin@contoso.example", "--json", db=db))["token"]


@contextmanager
def _patched(variant: str):
    """The app's middleware as `variant` has it, while the stack is built."""
    saved = (metrics_web.RequestMetrics, app_module.RequestId)
    if variant in ("no metrics", "neither"):
        metrics_web.RequestMetrics = lambda inner: inner
    if variant == "neither":
        app_module.RequestId = lambda inner: inner
    try:
        yield
    finally:
        metrics_web.RequestMetrics, app_module.RequestId = saved


def build(variant: str, db: str):
    with _patched(variant):
        app = app_module.create_app(Settings(database_url=db, secret_key=SECRET),
                                    make_engine(db))
        app.middleware_stack = app.build_middleware_stack()
    return app


def serve(app) -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def timed(client: httpx.Client, url: str, count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return out


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


class _Route:
    path = "/api/v1/leads"


ROUTE = _Route()


class _App:
    routes = [ROUTE]


async def _trivial(scope, receive, send) -> None:
    scope["route"] = ROUTE  # as the router leaves it
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _calls(app, count: int) -> float:
    scope = {"type": "http", "method": "GET", "path": "/api/v1/leads", "headers": [], "app": _App(), "root_path": ""}

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        pass

    started = time.perf_counter()
    for _ in range(count):
        await app(dict(scope), receive, send)
    return (time.perf_counter() - started) / count * 1e6


def micro(count: int) -> dict[str, float]:
    apps = {"bare": _trivial, "request id": RequestId(_trivial), "metrics": metrics_web.RequestMetrics(_trivial),
            "both": RequestId(metrics_web.RequestMetrics(_trivial))}
    return {name: min(asyncio.run(_calls(app, count)) for _ in range(3)) for name, app in apps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{folder}/bench.db"
        token = seed(db, args.leads)
        bases = {variant: serve(build(variant, db)) for variant in VARIANTS}
        times: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
        best: dict[str, float] = {}
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for variant in VARIANTS:
                timed(client, f"{bases[variant]}/api/v1/leads?limit=50", 20)  # warm-up
            for index in range(args.rounds):
                order = VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS))
                for variant in order:
                    batch = timed(client, f"{bases[variant]}/api/v1/leads?limit=50", args.requests)
                    times[variant].extend(batch)
                    best[variant] = min(best.get(variant, 1e9), statistics.median(batch))
    print("| app | requests | p50 | p95 | best round's p50 |\n|---|---|---|---|---|")
    for variant in VARIANTS:
        values = times[variant]
        print(f"| {variant} | {len(values)} | {statistics.median(values):.2f} ms | {percentile(values, 0.95):.2f} ms "
              f"| {best[variant]:.2f} ms |")
    costs = micro(args.calls)
    print("\n| middleware | µs a request | over bare |\n|---|---|---|")
    for name, cost in costs.items():
        print(f"| {name} | {cost:.1f} | {cost - costs['bare']:+.1f} |")


if __name__ == "__main__":
    main()
