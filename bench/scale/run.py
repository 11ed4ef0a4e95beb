"""`make scale-test`: several web and worker processes on a PostgreSQL primary with a streaming replica and
Redis, loaded at a fixed rate for a minute while a worker is SIGKILLed, a web process is SIGKILLed and the SMTP
server is away for 10 seconds; then the rate is raised step by step to find the highest one whose p95 stays
under 100 ms; then every acknowledged lead, email and transition is checked (bench/scale/checks.py).

    .venv/bin/python -m bench.scale.run [--leads 100000] [--rate 100] [--seconds 60] [--web 2] [--workers 2]

Exit status 0 when every check passed. The report goes to bench/results/scale-<date>.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis
from bench import pgcluster
from bench.generate import generate
from bench.pgcluster import PgCluster, free_port
from bench.scale import checks
from bench.scale.stage import METRICS_TOKEN, ROOT, Processes, env_for, prepare

from referrals.store.db import make_engine

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of the scale test's own, emptied first
STEPS = (10, 20, 30, 40, 60, 80, 100, 150)  # requests a second, raised until p95 passes 100 ms
STEP_SECONDS = 15
DRAIN_TIMEOUT = 600  # the SMTP outage's retries (30 s, 1 min, 2 min ...) and a killed worker's 2-minute lease


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered) + 0.5) - 1))]

    return {"n": len(ordered), "p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99),
            "mean_ms": round(statistics.fmean(ordered), 2)}


def summarise(load: dict) -> dict:
    by_kind = defaultdict(list)
    for kind, _started, ms, status, error in load["records"]:
        if error is None and status is not None and status < 500:
            by_kind[kind].append(ms)
    every = [ms for values in by_kind.values() for ms in values]
    interactive = [ms for kind, values in by_kind.items() if kind != "export" for ms in values]
    done = len(load["records"])
    ended = max((started + ms / 1000 for _k, started, ms, _s, _e in load["records"]), default=1.0)
    return {"rate": load["rate"], "seconds": load["seconds"], "requests": done,
            "answered_per_s": round(len(every) / max(ended, load["seconds"]), 1), "all": percentiles(every),
            "interactive": percentiles(interactive),
            "kinds": {kind: percentiles(values) for kind, values in sorted(by_kind.items())}}


class LagSampler(threading.Thread):
    """The replica's lag every half second, as store/replica.py measures it: the primary's WAL position is sampled
    with the time, and the replica is as old as the earliest sample it has not replayed yet (0 when it has
    replayed everything the primary had written); also the bytes it has not replayed."""

    def __init__(self, cluster: PgCluster) -> None:
        super().__init__(daemon=True)
        self.cluster, self.stop, self.samples = cluster, threading.Event(), []

    def run(self) -> None:
        history: list[tuple[float, int]] = []  # (when, the primary's position)
        position = "SELECT pg_wal_lsn_diff({}, '0/0')::bigint"
        try:
            primary = psycopg.connect(self.cluster.primary_url, autocommit=True, connect_timeout=2)
        except psycopg.Error:
            return
        while not self.stop.wait(0.5):
            try:
                head = primary.execute(position.format("pg_current_wal_lsn()")).fetchone()[0]
                now = time.time()
                history = [(t, lsn) for t, lsn in history if now - t < 120] + [(now, head)]
                with psycopg.connect(self.cluster.replica_url, autocommit=True, connect_timeout=2) as replica:
                    replayed = replica.execute(position.format("pg_last_wal_replay_lsn()")).fetchone()[0]
            except psycopg.Error:
                continue
            behind = [t for t, lsn in history if lsn > replayed]
            self.samples.append((now, float(max(0, head - replayed)), now - min(behind) if behind else 0.0))
        primary.close()

    def summary(self) -> dict:
        if not self.samples:
            return {"samples": 0}
        seconds = sorted(s[2] for s in self.samples)
        return {"samples": len(self.samples), "max_bytes": max(s[1] for s in self.samples),
                "mean_bytes": round(statistics.fmean(s[1] for s in self.samples)),
                "p50_seconds": round(seconds[len(seconds) // 2], 2),
                "p95_seconds": round(seconds[int(len(seconds) * 0.95)], 2), "max_seconds": round(seconds[-1], 2)}


def run_load(plan_path: Path, out: Path, rate: float, seconds: float, offset: int, logs: Path) -> dict:
    """One load process; `offset` numbers its new leads and picks its own slice of the received leads."""
    subprocess.run([sys.executable, "-m", "bench.scale.load", "--plan", str(plan_path), "--rate", str(rate),
                    "--seconds", str(seconds), "--offset", str(offset), "--out", str(out)],
                   cwd=ROOT, check=True, stderr=open(logs / "load.log", "a"))  # noqa: SIM115
    return json.loads(out.read_text())


def with_faults(procs: Processes, seconds: float) -> list[threading.Timer]:
    """At a quarter of the minute a worker dies (restarted 5 s later, as systemd would), at 40% a web process
    dies (its supervisor replaces it), from 60% the SMTP server is away for 10 seconds."""
    plan = [(0.25 * seconds, procs.kill_worker), (0.25 * seconds + 5, lambda: procs.start_worker(2)),
            (0.40 * seconds, procs.kill_web_child), (0.60 * seconds, procs.stop_sink),
            (0.60 * seconds + 10, procs.restart_sink)]
    timers = [threading.Timer(at, action) for at, action in plan]
    for timer in timers:
        timer.start()
    return timers


def wait_for_outbox(url: str, since: datetime, timeout: float) -> float:
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() - started < timeout:
            pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND created_at >= %s",
                                   (since,)).fetchone()[0]
            if pending == 0:
                return time.monotonic() - started
            time.sleep(2)
    raise TimeoutError(f"the outbox still had pending emails after {timeout} s")


def capacity(plan_path: Path, logs: Path, offset: int) -> tuple[list[dict], list[dict]]:
    """The rate raised step by step until the interactive requests' p95 passes 100 ms (every kind but the exports:
    a 1,000-row download is not a click, and its own p95 is reported with the rest); every step's load is kept for
    the checks."""
    steps, loads = [], []
    for n, rate in enumerate(STEPS):
        load = run_load(plan_path, logs / f"step-{rate}.json", rate, STEP_SECONDS, offset + 100_000 * (n + 1), logs)
        loads.append(load)
        summary = summarise(load)
        steps.append(summary)
        print(f"  step {rate}/s: p95 {summary['interactive'].get('p95_ms')} ms without the exports, "
              f"{summary['all'].get('p95_ms')} ms with them; {summary['answered_per_s']}/s answered", flush=True)
        if summary["interactive"].get("p95_ms", 1e9) > 100:
            break
    return steps, loads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-steps", action="store_true", help="skip the search for the highest rate")
    args = parser.parse_args()
    if why := pgcluster.available():
        print(f"cannot run the scale test here: {why}", file=sys.stderr)
        return 2
    logs = Path(tempfile.mkdtemp(prefix="referrals-scale-"))
    logs.chmod(0o755)  # the database servers run as the postgres user, under this directory
    print(f"scale test: logs in {logs}", flush=True)
    t0 = time.monotonic()
    with PgCluster.start(replica=True, root=logs / "pg") as cluster:
        report = stage_and_run(cluster, logs, args)
    report["minutes"] = round((time.monotonic() - t0) / 60, 1)
    out = ROOT / "bench" / "results" / f"scale-{datetime.now(UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print("\n".join(report["checks"]), f"\nreport: {out} ({report['minutes']} min)", sep="\n")
    return 0 if report["passed"] else 1


def stage_and_run(cluster: PgCluster, logs: Path, args) -> dict:
    print(f"  primary {cluster.primary_url}, replica {cluster.replica_url}", flush=True)
    started = time.monotonic()
    bench = generate(cluster.primary_url, args.leads, progress=lambda m: print("  " + m, flush=True))
    run_id = datetime.now(UTC).strftime("%H%M%S")
    plan = prepare(cluster.primary_url, bench, run_id)
    cluster.wait_for_replica(timeout=300)
    setup_minutes = round((time.monotonic() - started) / 60, 1)
    redis.Redis.from_url(REDIS_URL).flushdb()
    procs = Processes(env={}, logs=logs, smtp_port=free_port())
    (logs / "metrics").mkdir()
    procs.env = env_for(cluster.primary_url, cluster.replica_url, REDIS_URL, procs.smtp_port, procs.base_url,
                        logs / "metrics")
    plan_path = logs / "plan.json"
    plan_path.write_text(json.dumps({**plan, "base_url": procs.base_url}))
    lag = LagSampler(cluster)
    try:
        procs.start_sink()
        procs.start_web(args.web)
        for _ in range(args.workers):
            procs.start_worker(2)
        lag.start()
        began = time.time()
        procs.note(f"load: {args.rate:g} requests/s for {args.seconds:g} s (load average {os.getloadavg()[0]:.2f})")
        timers = with_faults(procs, args.seconds)
        main_load = run_load(plan_path, logs / "load.json", args.rate, args.seconds, 0, logs)
        for timer in timers:
            timer.join()
        steps, step_loads = ([], []) if args.no_steps else capacity(plan_path, logs, 0)
        drained = wait_for_outbox(cluster.primary_url, checks.since_of(began), DRAIN_TIMEOUT)
        procs.note(f"outbox drained {drained:.0f} s after the load")
        scraped = checks.scrape(procs.base_url, METRICS_TOKEN)
    finally:
        lag.stop.set()
        procs.close()
    return judge(cluster, logs, began, procs, main_load, steps, step_loads, lag, setup_minutes, args, scraped)


def judge(cluster, logs, began, procs, main_load, steps, step_loads, lag, setup_minutes, args, scraped) -> dict:
    verdict = checks.Verdict()
    loads = [main_load, *step_loads]
    created = [tuple(c) for load in loads for c in load["created"]]
    transitions = [tuple(t) for load in loads for t in load["transitions"]]
    kills = [at for at, what in procs.events if what.startswith("SIGKILL web")]
    engine = make_engine(cluster.primary_url)
    with engine.connect() as conn:
        checks.check_leads(conn, created, verdict)
        checks.check_emails(conn, checks.since_of(began), created, checks.sink_messages(logs / "messages.jsonl"),
                            verdict)
        checks.check_history(conn, transitions, verdict)
        checks.check_metrics(conn, scraped, checks.since_of(began), created, verdict)
    engine.dispose()
    checks.check_errors(main_load["records"], main_load["began"], kills, verdict)
    sustained = [s["rate"] for s in steps if s["interactive"].get("p95_ms", 1e9) <= 100]
    return {"passed": verdict.passed, "checks": verdict.lines, "figures": verdict.figures,
            "load_average_at_the_end": os.getloadavg(),
            "when": datetime.now(UTC).isoformat(), "leads": args.leads, "web_processes": args.web,
            "worker_processes": args.workers, "setup_minutes": setup_minutes,
            "main": summarise(main_load), "steps": steps,
            "highest_rate_interactive_p95_under_100ms": max(sustained) if sustained else None,
            "replica_lag": lag.summary(), "events": [(round(at - began, 1), what) for at, what in procs.events]}


if __name__ == "__main__":
    sys.exit(main())
