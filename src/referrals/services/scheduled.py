"""Every scheduled job once, as of an instant: what `referrals sweep --now` and the tests run."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from referrals.adapters.smtp import SmtpMailer
from referrals.config import Settings
from referrals.services.digests import send_due_digests
from referrals.services.insights import fold_changes
from referrals.services.outbox import DrainReport, drain
from referrals.services.partner_stats import refresh_partner_stats
from referrals.services.sweep import SweepReport, sweep


@dataclass(frozen=True)
class JobsReport:
    sweep: SweepReport
    digests: int
    outbox: DrainReport
    partners_refreshed: int
    insight_changes: int = 0  # lead changes folded into the insights rollups


def _running_from(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` at first and then moves with real time: the outbox's leases must age while a long
    drain sends, even when the jobs run as of another instant."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def run_once(engine: Engine, settings: Settings, *, now: datetime) -> JobsReport:
    swept = sweep(engine, now=now, retention_months=settings.retention_months)
    digests = send_due_digests(engine, now=now)
    drained = drain(engine, SmtpMailer(settings), clock=_running_from(now))
    refreshed = refresh_partner_stats(engine, now=now)
    folded = fold_changes(engine)  # after the sweep, so its expiries are folded too
    return JobsReport(swept, digests, drained, refreshed, folded)
