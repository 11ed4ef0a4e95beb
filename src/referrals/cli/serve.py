"""`referrals serve`, `referrals worker` and `referrals sweep`: the web server, the job worker, and every
scheduled job run once."""

import atexit
import logging
import logging.config
import os
import shutil
import socket
import tempfile
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, err, fail, parse_instant, run
from referrals.store.db import DEFAULT_URL


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run the scheduled jobs in this process.")]
    = False,
    processes: Annotated[int, typer.Option("--processes", min=1, max=64,
                                           help="Web processes sharing the port (the jobs run once, in the parent).")]
    = 1,
    db: Db = DEFAULT_URL,
) -> None:
    """Start the web server (and, unless --no-worker, the scheduled jobs)."""
    settings = _serving_settings(db, host, processes)
    _check_port(host, port)
    prepare_multiprocess_metrics(processes)
    _count_with_other_processes()
    if not no_worker:
        from referrals.jobs import start_embedded

        start_embedded()  # one consumer: in the server, or in the parent of its N web processes
    kicks = not no_worker or bool(settings.redis_url)  # a consumer runs here, or workers share the Redis queue
    # proxy_headers=False: uvicorn would believe X-Forwarded-For from loopback; web/client.py decides who the
    # client is, from REFERRALS_TRUSTED_PROXIES only.
    options = {"host": host, "port": port, "log_level": "info", "proxy_headers": False}
    if processes == 1:
        _serve_here(settings, db, kicks, options)
    else:
        _serve_in_processes(processes, kicks, options, settings.log_format)


def _serving_settings(db: str, host: str, processes: int):
    from referrals.secret_key import MissingSecretKey, is_in_memory_sqlite, refusal_to_serve, resolve

    _use_database(db)
    settings = _settings()
    if refusal := refusal_to_serve(settings.secret_key, db, host):
        fail(refusal)
    if processes > 1 and is_in_memory_sqlite(db):
        fail("--processes needs a database file or PostgreSQL: each process would have its own in-memory database")
    try:  # resolved here, before any web process starts: they all read the same key (secret_key.py)
        settings = settings.model_copy(update={"secret_key": resolve(settings.secret_key, db)})
    except (MissingSecretKey, OSError) as error:
        fail(f"cannot read or make the session key: {error}")
    if processes > 1 and not settings.redis_url:
        err.print(f"warning: without REFERRALS_REDIS_URL each of the {processes} web processes counts the rate "
                  f"limits on its own, so a client may get up to {processes} times each limit", highlight=False,
                  soft_wrap=True)
    return settings


def _setting_problem(problem) -> str:
    message = problem["msg"].removeprefix("Value error, ")
    return f"REFERRALS_{'_'.join(map(str, problem['loc'])).upper()}: {message}" if problem["loc"] else message


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(f"cannot listen on {host}:{port}: {error}")


def _serve_here(settings, db: str, kicks: bool, options: dict) -> None:
    import uvicorn

    from referrals.cli.served_app import build
    from referrals.web.logformat import log_config

    app = build(settings, engine_for(db), kicks=kicks)
    try:
        uvicorn.run(app, log_config=log_config(settings.log_format), **options)
    except OSError as error:
        fail(f"cannot listen on {options['host']}:{options['port']}: {error}")


def _serve_in_processes(processes: int, kicks: bool, options: dict, log_format: str) -> None:
    """N spawned interpreters on one socket, each building the app from the environment (cli/served_app.py);
    uvicorn's supervisor restarts one that dies."""
    import uvicorn

    from referrals.cli.served_app import FACTORY, KICK_ENV
    from referrals.web.logformat import log_config

    os.environ[KICK_ENV] = "1" if kicks else "0"
    uvicorn.run(FACTORY, factory=True, workers=processes, log_config=log_config(log_format), **options)


def prepare_multiprocess_metrics(processes: int) -> None:
    """Metrics shared by several web processes: before they start, give them one fresh directory for the Prometheus
    client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR), unless the operator chose one (then the operator empties
    it before the whole set starts: referrals/metrics.py: wipe_multiprocess_dir); it is removed when the server
    stops. A web process that dies and is replaced leaves its counts in the directory, so the sums stay whole."""
    if processes == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    directory = tempfile.mkdtemp(prefix="referrals-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def worker(
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker threads.")] = 2,
    db: Db = DEFAULT_URL,
) -> None:
    """Run the background jobs (outbox, sweeps, digests) in this process; start several with Redis."""
    _use_database(db)
    settings = _settings()
    _count_with_other_processes()
    if settings.log_format == "json":
        from referrals.web.logformat import log_config

        logging.config.dictConfig(log_config("json"))
    else:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    from referrals.jobs import run_worker

    run_worker(workers)


def sweep(
    now: Annotated[str | None, typer.Option("--now", help="Run as of this ISO-8601 instant.")] = None,
    db: Db = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Run every scheduled job once: expire unanswered leads, retire old informational leads, send the
    digests of days that are over, drain the outbox."""
    from referrals.config import get_settings
    from referrals.services.scheduled import run_once

    instant = parse_instant(now)
    settings = get_settings().model_copy(update={"database_url": db})
    report = run(lambda: run_once(engine_for(db), settings, now=instant))
    data = {"expired": report.sweep.expired, "retired": report.sweep.retired, "digests": report.digests,
            "sent": report.outbox.sent, "retried": report.outbox.retried, "failed": report.outbox.failed}
    if settings.retention_months:
        data["anonymised"] = report.sweep.anonymised
    emit(data, as_json, ", ".join(f"{key} {value}" for key, value in data.items()))


def _settings():
    from pydantic import ValidationError

    from referrals.config import get_settings

    try:
        return get_settings()
    except ValidationError as error:
        fail("; ".join(_setting_problem(problem) for problem in error.errors()))


def _count_with_other_processes() -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, count into it with every other process sharing it (referrals/metrics.py);
    before anything is counted, and before any process this one starts."""
    from referrals.metrics import MetricsDirectoryError, prepare_multiprocess

    try:
        prepare_multiprocess()
    except MetricsDirectoryError as error:
        fail(str(error))


def _use_database(db: str) -> None:
    """The jobs read their settings from the environment: make --db the database they see too."""
    from referrals.config import get_settings

    os.environ["REFERRALS_DATABASE_URL"] = db
    get_settings.cache_clear()
