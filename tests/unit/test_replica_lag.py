"""The replica's age from WAL positions sampled on the primary (store/replica.py: LagGauge), and the
read-your-writes window's cookie (web/freshness.py)."""

import time

from starlette.requests import Request

from referrals.store.replica import LagGauge
from referrals.web.freshness import COOKIE, wants_primary


def test_a_replica_that_replayed_the_newest_sample_is_not_behind_however_idle_the_primary():
    gauge = LagGauge(keep_seconds=10)
    for moment in range(5):
        gauge.sample(float(moment), 1_000)  # an idle primary: the position does not move
    assert gauge.age(4.5, replayed=1_000) == 0.0


def test_a_replica_is_as_old_as_the_earliest_sample_it_has_not_replayed():
    gauge = LagGauge(keep_seconds=10)
    for moment, position in ((0.0, 100), (1.0, 200), (2.0, 300), (3.0, 400)):
        gauge.sample(moment, position)
    assert gauge.age(3.5, replayed=250) == 1.5  # it has 200, not 300 (sampled at 2.0)
    assert gauge.age(3.5, replayed=50) == 3.5


def test_samples_older_than_kept_are_dropped_and_a_replica_behind_them_is_at_least_that_old():
    gauge = LagGauge(keep_seconds=2)
    for moment in range(10):
        gauge.sample(float(moment), 100 * moment)
    assert len(gauge.samples) == 3
    assert gauge.age(9.0, replayed=0) == 2.0


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie is not None else []
    return Request({"type": "http", "method": "GET", "path": "/leads", "headers": headers, "query_string": b""})


def test_a_client_reads_from_the_primary_only_within_its_window_after_writing():
    now = time.time()
    assert wants_primary(_request(f"{now + 5:.3f}"), seconds=7)
    assert not wants_primary(_request(f"{now - 1:.3f}"), seconds=7)  # over
    assert not wants_primary(_request(f"{now + 3600:.3f}"), seconds=7)  # further ahead than any window
    assert not wants_primary(_request("nonsense"), seconds=7)
    assert not wants_primary(_request(None), seconds=7)
