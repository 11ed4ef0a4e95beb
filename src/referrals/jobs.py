"""Scheduled and background jobs on huey: outbox draining, sweeps, digests.

By default the queue lives in an SQLite file beside the database and `referrals serve` runs a consumer
inside the server process. With REFERRALS_REDIS_URL set, any number of `referrals worker` processes
share the queue. The jobs themselves are idempotent and safe to run in several workers at once, so the
same code serves both set-ups.
"""

import logging
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from huey import crontab
from huey.consumer import Consumer
from sqlalchemy import Engine

from referrals.adapters.smtp import SmtpMailer
from referrals.config import get_settings
from referrals.job_queue import make_huey
from referrals.services.bulk import run_job, stalled_jobs
from referrals.services.digests import send_due_digests
from referrals.services.insights import fold_changes
from referrals.services.outbox import drain
from referrals.services.partner_stats import refresh_partner_stats
from referrals.services.quality_history import retrain, retrain_if_due
from referrals.services.sweep import sweep
from referrals.services.webhook_delivery import deliver
from referrals.store.db import make_engine

log = logging.getLogger("referrals.jobs")

huey = make_huey(get_settings())


@lru_cache
def _engine() -> Engine:
    return make_engine(get_settings().database_url)


def _now() -> datetime:
    return datetime.now(UTC)


@huey.periodic_task(crontab(minute="*"), retries=0)
def drain_outbox() -> None:
    drain(_engine(), SmtpMailer(get_settings()), clock=_now)


@huey.task()
def kick_outbox() -> None:
    """Enqueued after a request that queued email, so it leaves in seconds rather than at the next minute."""
    drain(_engine(), SmtpMailer(get_settings()), clock=_now)


@huey.periodic_task(crontab(minute="*/5"))
def sweep_leads() -> None:
    report = sweep(_engine(), now=_now(), retention_months=get_settings().retention_months)
    if report.anonymised:
        log.info("sweep: anonymised %s leads past the retention period", report.anonymised)
    if report.expired or report.retired:
        log.info("sweep: expired %s, retired %s", report.expired, report.retired)
        fold_changes(_engine())  # at once: until folded, every insights view adds up each of those changes


@huey.periodic_task(crontab(minute="*/5"))
def fold_insights() -> None:
    """Fold the lead change log into the insights rollups (views stay exact meanwhile: they add the log)."""
    fold_changes(_engine())


@huey.periodic_task(crontab(minute="*/10"))
def send_digests() -> None:
    send_due_digests(_engine(), now=_now())


@huey.periodic_task(crontab(minute="17"))
def refresh_directory_stats() -> None:
    refresh_partner_stats(_engine(), now=_now())


@huey.periodic_task(crontab(minute="41"))
def retrain_quality() -> None:
    """Retrain the lead-quality model once a week (REFERRALS_QUALITY_RETRAIN_DAYS), keeping the previous model when
    the new one does worse on the newest closed leads (services/quality_history.py)."""
    retrain_if_due(_engine(), now=_now(), every=timedelta(days=get_settings().quality_retrain_days))


@huey.task()
def retrain_quality_now() -> None:
    """Asked for on the program's quality page."""
    retrain(_engine(), now=_now(), trigger="page")


@huey.task(retries=3, retry_delay=30)
def run_bulk_job(partner_id: str, job_id: str) -> None:
    """A bulk action over more than 1,000 leads. Safe to run twice: the job's lease lets one run at a time, and
    each lead's result is recorded with its change."""
    run_job(_engine(), partner_id, job_id, clock=_now)


@huey.periodic_task(crontab(minute="*"))
def resume_bulk_jobs() -> None:
    """Restart the bulk jobs whose worker died (their lease ran out) or that no worker took: from the first lead
    they have not processed."""
    for partner_id, job_id in stalled_jobs(_engine(), now=_now()):
        log.info("bulk job %s: resuming", job_id)
        run_bulk_job(partner_id, job_id)


def start_bulk_job(partner_id: str, job_id: str) -> None:
    """Queue a new bulk job (the web edge calls this through app.state.start_bulk_job)."""
    run_bulk_job(partner_id, job_id)


_last_kick = [0.0]


def kick() -> None:
    """Ask a worker to drain the outbox soon; at most once every two seconds."""
    moment = time.monotonic()
    if moment - _last_kick[0] >= 2:
        _last_kick[0] = moment
        kick_outbox()
        kick_webhooks()


class EmbeddedConsumer(Consumer):
    """A consumer that runs inside another program (the web server), which owns the signal handlers."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded(workers: int = 1) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(huey, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    return consumer


def run_worker(workers: int = 2) -> None:
    """A standalone worker process (`referrals worker`)."""
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()


@huey.periodic_task(crontab(minute="*"), retries=0)
def deliver_webhooks() -> None:
    """Every minute: a delivery that failed is retried 30 s after, so it leaves 30 to 90 s after the failure."""
    deliver(_engine(), clock=_now, allow_hosts=get_settings().webhook_allow_list)


@huey.task()
def kick_webhooks() -> None:
    """Enqueued after a request that may have queued webhook deliveries (with the outbox's kick)."""
    deliver(_engine(), clock=_now, allow_hosts=get_settings().webhook_allow_list)
