"""What the scale test checks after the load and the faults, against the primary and the SMTP sink's record.

- every lead the server acknowledged exists exactly once (by its external id, with the acknowledged id);
- every email the product queued since the load began was delivered, exactly one distinct email (Message-ID) per
  event and recipient: none lost, none doubled; a resend of the same Message-ID (a worker killed between the
  server's accept and the mark) is counted and reported apart, as a receiver folds it into one;
- every acknowledged lead has its new-lead email queued, every acknowledged accept or decline exactly one history
  row of its action, and no lead touched by the load has two rows of one transition;
- the load's only errors are connections cut by the killed web process.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, text

from referrals.adapters.smtp import message_id_for

CUT = "connection"
SLACK = 1.0  # seconds: a cut connection is the kill's when the request was in flight within this of the kill


@dataclass
class Verdict:
    passed: bool = True
    lines: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def check(self, ok: bool, line: str) -> None:
        self.passed &= ok
        self.lines.append(("ok    " if ok else "FAIL  ") + line)


def sink_messages(path: Path) -> Counter:
    """How many times each Message-ID arrived (without its angle brackets and domain)."""
    arrived = Counter()
    if path.exists():
        for line in path.read_text().splitlines():
            message_id = json.loads(line)["message_id"].strip("<>").split("@", 1)[0]
            arrived[message_id] += 1
    return arrived


def check_leads(conn, created: list[tuple[str, str]], verdict: Verdict) -> None:
    externals = [external for _, external in created]
    rows = []
    for start in range(0, len(externals), 1000):
        rows += conn.execute(text("SELECT id, external_id FROM leads WHERE external_id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)),
                             {"ids": externals[start:start + 1000]}).all()
    found = Counter(external for _, external in rows)
    ids = {external: lead_id for lead_id, external in rows}
    missing = [e for e in externals if found[e] == 0]
    doubled = [e for e in externals if found[e] > 1]
    wrong = [e for lead_id, e in created if found[e] == 1 and ids[e] != lead_id]
    verdict.check(not missing and not doubled and not wrong,
                  f"{len(created):,} acknowledged leads: {len(missing)} missing, {len(doubled)} doubled, "
                  f"{len(wrong)} with another id")


def check_emails(conn, since: datetime, created: list[tuple[str, str]], arrived: Counter, verdict: Verdict) -> None:
    queued = conn.execute(text("SELECT idempotency_key, status FROM outbox WHERE created_at >= :since"),
                          {"since": since}).all()
    expected = {message_id_for(key): status for key, status in queued}
    lost = [key for key in expected if arrived[key] == 0]
    unsent = [key for key, status in expected.items() if status != "sent"]
    resent = sum(arrived[key] - 1 for key in expected if arrived[key] > 1)
    keys = {key for key, _ in queued}
    no_email = [lead_id for lead_id, _ in created if not any(k.startswith(f"new_lead:{lead_id}:") for k in keys)]
    verdict.figures.update(emails_queued=len(expected), emails_resent_same_message_id=resent,
                           emails_by_kind=dict(Counter(key.split(":", 1)[0] for key, _ in queued)))
    verdict.check(not lost and not unsent,
                  f"{len(expected):,} emails queued since the load began: {len(lost)} never arrived, "
                  f"{len(unsent)} not marked sent; one distinct email per event and recipient by construction "
                  f"(unique idempotency key), {resent} resent with the same Message-ID")
    verdict.check(not no_email, f"every acknowledged lead has its new-lead email queued ({len(no_email)} without)")


def check_history(conn, transitions: list[tuple[str, str]], verdict: Verdict) -> None:
    ids = sorted({lead_id for lead_id, _ in transitions})
    counts: Counter = Counter()
    for start in range(0, len(ids), 1000):
        for lead_id, action, n in conn.execute(
                text("SELECT lead_id, action, COUNT(*) FROM lead_history WHERE lead_id IN :ids "
                     "GROUP BY lead_id, action").bindparams(bindparam("ids", expanding=True)),
                {"ids": ids[start:start + 1000]}):
            counts[(lead_id, action)] = n
    wrong = [(lead_id, action) for lead_id, action in transitions if counts[(lead_id, action)] != 1]
    doubled = [key for key, n in counts.items() if n > 1 and key[1] != "deal_edited"]
    verdict.check(not wrong and not doubled,
                  f"{len(transitions):,} acknowledged accepts and declines: {len(wrong)} without exactly one "
                  f"history row, {len(doubled)} transitions recorded twice")


def check_errors(records: list, began: float, kills: list[float], verdict: Verdict) -> None:
    """Errors are failed requests (no answer, or a 5xx). A connection cut while a web kill happened (the request
    was sent before the kill and failed after it, give or take SLACK) is that kill's."""
    bad, cut = [], 0
    for kind, started, ms, status, error in records:
        sent, failed = began + started, began + started + ms / 1000
        if error is None and status is not None and status < 500:
            continue
        if error and error.startswith(CUT) and any(sent - SLACK <= k <= failed + SLACK for k in kills):
            cut += 1
            continue
        bad.append((kind, round(started, 1), status, error))
    client_errors = Counter((kind, status) for kind, _s, _ms, status, error in records
                            if error is None and status is not None and 400 <= status < 500)
    verdict.figures.update(cut_by_web_kill=cut, unexpected_errors=len(bad),
                           client_errors={f"{k} {s}": n for (k, s), n in client_errors.items()})
    verdict.check(not bad, f"errors other than connections cut by the web kill: {len(bad)} {bad[:5]} "
                           f"({cut} cut by the kill)")
    verdict.check(not client_errors, f"no 4xx answers to the load's well-formed requests: {dict(client_errors)}")


def since_of(began: float) -> datetime:
    return datetime.fromtimestamp(began, UTC)


# The series issue 18 names, which /metrics must expose (docs/operations.md).
SERIES = ("referrals_http_requests_total", "referrals_http_request_duration_seconds", "referrals_outbox_pending",
          "referrals_outbox_oldest_pending_age_seconds", "referrals_jobs_pending", "referrals_jobs_lag_seconds",
          "referrals_emails_sent_total", "referrals_emails_failed_total", "referrals_webhooks_sent_total",
          "referrals_webhooks_failed_total", "referrals_leads_created_total", "referrals_leads_expired_total")


def scrape(base_url: str, token: str) -> dict[str, float]:
    """/metrics of the web processes (which sum every process's counts), each series summed over its labels."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    answer = httpx.get(base_url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    answer.raise_for_status()
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            name = sample.name.removesuffix("_count") if sample.name.endswith("_seconds_count") else sample.name
            if sample.name.endswith(("_bucket", "_sum", "_created")):
                continue
            totals[name] = totals.get(name, 0.0) + sample.value
    return totals


def check_metrics(conn, scraped: dict[str, float], since: datetime, created: list, verdict: Verdict) -> None:
    """Every named series is there, and the counters agree with the database: every lead the load made was counted
    (a lead whose answer the killed web process cut may be counted and not acknowledged), every email the outbox
    marked sent since the load began was counted as sent."""
    missing = [name for name in SERIES if name not in scraped and name + "_total" not in scraped]
    sent = conn.execute(text("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND created_at >= :since"),
                        {"since": since}).scalar_one()
    counted_leads = scraped.get("referrals_leads_created_total", 0)
    counted_sent = scraped.get("referrals_emails_sent_total", 0)
    verdict.figures.update(metrics={name: scraped.get(name) for name in SERIES})
    verdict.check(not missing, f"/metrics exposes every named series across the processes (missing: {missing})")
    verdict.check(counted_leads >= len(created) and counted_sent >= sent,
                  f"/metrics counted {counted_leads:,.0f} leads created ({len(created):,} acknowledged) and "
                  f"{counted_sent:,.0f} emails sent ({sent:,} marked sent since the load began)")
