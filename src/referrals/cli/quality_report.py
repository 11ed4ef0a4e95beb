"""`referrals quality evaluate --db`'s report in words: the figures, what they are measured against, and whether
the High/Low line keeps its two promises (High converts at least 1.5x as often as Low; 10-60% of leads are High)."""

from referrals.domain.quality_report import Evaluation, checks

KINDS = {
    "relative": "1.5x the program's conversion rate",
    "clamped": "moved so that 10-60% of the training leads are High",
    "fixed": "fixed by REFERRALS_QUALITY_THRESHOLD",
    "top_share": "the top 30% of recent scores",
    "default": "the default",
}


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def history_text(e: Evaluation, *, since: str | None) -> str:
    p = e.priors_only
    lines = [
        "Lead quality on this program's history" + (f" (leads received since {since})" if since else ""),
        f"trained on the older {e.train:,} closed leads, tested on the newest {e.test:,} "
        f"(conversion rate {e.base_rate:.3f}); nothing in the database was changed",
        "",
        "| model | AUC | Brier | ECE (10 bins) |",
        "|---|---|---|---|",
        f"| trained | {e.auc:.3f} | {e.brier:.4f} | {e.ece:.3f} |",
        f"| priors only | {p.auc:.3f} | {p.brier:.4f} | {p.ece:.3f} |",
        f"| base rate (always {e.base_rate:.3f}) | 0.500 | {e.base_rate * (1 - e.base_rate):.4f} | - |",
        "",
        f"lift of the top 20%: {e.lift_top20:.2f}x the base rate",
        f"High/Low line: {e.threshold:.3f} ({KINDS.get(e.line_kind, e.line_kind)})",
        f"High: {e.high_share:.0%} of the test leads, converting {_rate(e.high_rate)}; Low converting "
        f"{_rate(e.low_rate)}",
        *checks(e),
    ]
    return "\n".join(lines)
