"""`referrals serve`, `referrals worker` and `referrals sweep`: the web server, the job worker, and every
scheduled job run once."""

import os
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, fail, parse_instant, run
from referrals.store.db import DEFAULT_URL


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run the scheduled jobs in this process.")]
    = False,
    db: Db = DEFAULT_URL,
) -> None:
    """Start the web server (and, unless --no-worker, the scheduled jobs)."""
    import uvicorn

    from referrals.config import get_settings
    from referrals.secret_key import MissingSecretKey, refusal_to_serve, resolve
    from referrals.web.app import create_app
    from referrals.web.logredact import log_config

    _use_database(db)
    settings = get_settings()
    if refusal := refusal_to_serve(settings.secret_key, db, host):
        fail(refusal)
    try:
        settings = settings.model_copy(update={"secret_key": resolve(settings.secret_key, db)})
    except (MissingSecretKey, OSError) as error:
        fail(f"cannot read or make the session key: {error}")
    engine = engine_for(db)
    app = create_app(settings, engine)
    from referrals.jobs import retrain_quality_now, start_bulk_job

    app.state.start_bulk_job = start_bulk_job  # a worker in this process or another (--no-worker) runs it
    app.state.start_retraining = retrain_quality_now  # the program's quality page: "Retrain now"
    if not no_worker:
        from referrals.jobs import kick, start_embedded

        start_embedded()
        app.state.kick_outbox = kick
    try:
        # proxy_headers=False: uvicorn would believe X-Forwarded-For from loopback; web/client.py decides who the
        # client is, from REFERRALS_TRUSTED_PROXIES only.
        uvicorn.run(app, host=host, port=port, log_level="info", log_config=log_config(), proxy_headers=False)
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error}")


def worker(
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker threads.")] = 2,
    db: Db = DEFAULT_URL,
) -> None:
    """Run the background jobs (outbox, sweeps, digests) in this process; start several with Redis."""
    _use_database(db)
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


def _use_database(db: str) -> None:
    """The jobs read their settings from the environment: make --db the database they see too."""
    from referrals.config import get_settings

    os.environ["REFERRALS_DATABASE_URL"] = db
    get_settings.cache_clear()
