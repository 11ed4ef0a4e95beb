"""The Prometheus series this program counts itself, in every process, and their exposition.

Counted where things happen: the request middleware (web/metrics.py) times every request; ingestion counts the
leads it creates, the sweep the leads it archives, the two outbox drains each email and webhook as its fate is
known. Those modules call the small functions below and know nothing else of Prometheus, so a service stays a
plain function (the call is a lock and an addition, or a write into a memory-mapped file in multiprocess mode).
The gauges read from the database and the job queue at scrape time are not here: web/metrics.py asks for them
when /metrics is read.

Several processes (web processes, workers): the client library's multiprocess mode. Each process writes its
counters into its own files under one directory and /metrics, whichever process answers, adds up every file
there. `prepare_multiprocess(directory)` switches a process to it; `referrals serve` and `referrals worker` call it
when PROMETHEUS_MULTIPROC_DIR is set, and a supervisor that starts several processes calls it before it starts
them (the variable is then inherited). `wipe_multiprocess_dir` empties the directory: once, by whoever starts the
whole set, before any of them starts (never while one runs: its counts would vanish). `process_died(pid)` is the
library's `mark_process_dead`, for a supervisor to call when a child exits. The files of a dead process stay and
keep counting in the sums: a counter never goes down because a worker was restarted.
"""

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

log = logging.getLogger("referrals.metrics")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# From 1 ms (a keyset page) to 30 s (an export of many rows).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
HTTP_LABELS = ("method", "route", "status")
disable_created_metrics()  # no `_created` series: multiprocess mode has none, and one process should read the same


class MetricsDirectoryError(ValueError):
    """The multiprocess directory cannot be used."""


class _Series:
    """Every series of one process, in a registry of its own (not the library's global one)."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("referrals_http_requests", "HTTP requests answered, by method, route template and "
                                "status", HTTP_LABELS, registry=registry)
        self.latency = Histogram("referrals_http_request_duration_seconds", "Time to answer an HTTP request, by "
                                 "method, route template and status", HTTP_LABELS, buckets=LATENCY_BUCKETS,
                                 registry=registry)
        self.leads_created = Counter("referrals_leads_created", "Leads created (API, marketplace, directory, "
                                     "imports)", registry=registry)
        self.leads_expired = Counter("referrals_leads_expired", "Leads archived as expired by the sweep",
                                     registry=registry)
        self.leads_retired = Counter("referrals_leads_retired", "Informational leads retired by the sweep",
                                     registry=registry)
        self.emails = {fate: Counter(f"referrals_emails_{fate}", help_text, registry=registry)
                       for fate, help_text in EMAIL_FATES.items()}
        self.webhooks = {fate: Counter(f"referrals_webhooks_{fate}", help_text, registry=registry)
                         for fate, help_text in WEBHOOK_FATES.items()}
        self.http_children: dict[tuple[str, str, str], tuple] = {}


EMAIL_FATES = {
    "sent": "Emails the SMTP server accepted",
    "retried": "Email attempts that failed for now and will be retried",
    "failed": "Emails given up on (refused, or retries exhausted)",
}
WEBHOOK_FATES = {
    "sent": "Webhook deliveries answered with a 2xx",
    "retried": "Webhook attempts that failed and will be retried",
    "failed": "Webhook deliveries given up on (a day of failures)",
}
# The drains' names for the same fates.
_WEBHOOK_FATE = {"delivered": "sent", "retried": "retried", "failed": "failed"}

_lock = threading.Lock()
_series: _Series | None = None


def _get() -> _Series:
    global _series
    if _series is None:
        with _lock:
            if _series is None:
                _usable_directory()
                _series = _Series()
    return _series


def _usable_directory() -> None:
    """A process that inherited PROMETHEUS_MULTIPROC_DIR without calling `prepare_multiprocess` (a CLI command that
    ingests or drains) counts into the directory too, made if need be; where it cannot, it counts alone: a count
    must never fail the work it counts."""
    if not getattr(values.ValueClass, "_multiprocess", False):
        return
    directory = multiprocess_dir()
    try:
        if not directory:
            raise OSError(f"{MULTIPROC_ENV} is empty")
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("metrics: cannot count into the multiprocess directory (%s): counting in this process only", error)
        values.ValueClass = values.MutexValue


# -- what the rest of the program counts ------------------------------------------------------------------


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    series = _get()
    key = (method, route, str(status))
    children = series.http_children.get(key)
    if children is None:  # labels() takes a lock and builds a tuple; a request should not pay that every time
        children = series.http_children.setdefault(key, (series.requests.labels(*key),
                                                         series.latency.labels(*key)))
    children[0].inc()
    children[1].observe(seconds)


def leads_created(count: int = 1) -> None:
    if count:
        _get().leads_created.inc(count)


def leads_archived(*, expired: int, retired: int) -> None:
    series = _get()
    if expired:
        series.leads_expired.inc(expired)
    if retired:
        series.leads_retired.inc(retired)


def email(fate: str) -> None:
    """One email's fate as services/outbox.py names it: sent, retried or failed (a skipped claim is none)."""
    counter = _get().emails.get(fate)
    if counter is not None:
        counter.inc()


def webhook(fate: str) -> None:
    """One delivery's fate as services/webhook_delivery.py names it: delivered, retried or failed."""
    if fate in _WEBHOOK_FATE:
        _get().webhooks[_WEBHOOK_FATE[fate]].inc()


# -- several processes ------------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess(directory: str | os.PathLike[str] | None = None) -> Path | None:
    """Count into `directory` (default: $PROMETHEUS_MULTIPROC_DIR) with the other processes that share it, and
    set the variable for the processes this one starts. Creates the directory; refuses one it cannot write to.
    Answers the directory, or None when neither names one (this process then counts alone). Call it before the
    process starts serving: counts made before it are dropped."""
    global _series
    chosen = directory or multiprocess_dir()
    if not chosen:
        return None
    path = Path(chosen).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MetricsDirectoryError(f"cannot create the metrics directory {path}: {error}") from error
    if not os.access(path, os.W_OK | os.X_OK):
        raise MetricsDirectoryError(f"cannot write into the metrics directory {path}")
    os.environ[MULTIPROC_ENV] = str(path)
    with _lock:
        if not getattr(values.ValueClass, "_multiprocess", False):
            values.ValueClass = values.MultiProcessValue()
        _series = None  # built again on first use, on the files
    return path


def wipe_multiprocess_dir(directory: str | os.PathLike[str]) -> None:
    """Delete the counts of a previous run. Only before any process of the new run has started."""
    for file in Path(directory).glob("*.db"):
        file.unlink(missing_ok=True)


def process_died(pid: int, directory: str | os.PathLike[str] | None = None) -> None:
    """For a supervisor, when one of its children exits: the library's bookkeeping for live gauges (this program
    keeps none per process today, so it removes nothing; the dead process's counters keep counting)."""
    chosen = directory or multiprocess_dir()
    if chosen:
        multiprocess.mark_process_dead(pid, str(chosen))


# -- exposition -------------------------------------------------------------------------------------------


class _Own:
    """This process's series as a collector of another registry."""

    def collect(self):
        return _get().registry.collect()


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition: every process's counters (multiprocess mode) or this one's, then `extra`'s series.
    auto_describe=False: registering a collector must not run it (the scrape-time gauges query the database)."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() and getattr(values.ValueClass, "_multiprocess", False):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Own())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)
