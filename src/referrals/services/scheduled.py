"""Every scheduled job once, as of an instant: what `referrals sweep --now` and the tests run."""

from dataclasses import dataclass
from datetime import datetime

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


def run_once(engine: Engine, settings: Settings, *, now: datetime) -> JobsReport:
    swept = sweep(engine, now=now)
    digests = send_due_digests(engine, now=now)
    drained = drain(engine, SmtpMailer(settings), now=now)
    refreshed = refresh_partner_stats(engine, now=now)
    folded = fold_changes(engine)  # after the sweep, so its expiries are folded too
    return JobsReport(swept, digests, drained, refreshed, folded)
