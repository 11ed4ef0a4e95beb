"""REFERRALS_DATABASE_READ_URL against a real streaming replica (bench/pgcluster.py) and `referrals serve` over
HTTP: lists come from the replica while it is fresh enough, from the primary when it lags too far or is down, and a
browser that has just acted reads its own change."""

import time

import httpx
import pytest

from referrals.store.replica import CONNECT_TIMEOUT
from tests.conftest import skip_missing_backend
from tests.e2e import replica_support as support
from tests.e2e.served import eventually, serving


@pytest.fixture(scope="module")
def cluster():
    from bench import pgcluster

    if why := pgcluster.available():
        skip_missing_backend("replica", why)
    with pgcluster.PgCluster.start(replica=True) as started:
        yield started


@pytest.fixture(scope="module")
def program(cluster):
    made = support.set_up_program(cluster.primary_url)
    cluster.wait_for_replica()
    return made


@pytest.fixture(scope="module")
def patient(cluster, program, tmp_path_factory):
    """A server that reads from the replica however far behind it is (the lag limit is 1,000 s)."""
    with serving(program.serving_env(cluster.replica_url, 1000), tmp_path_factory.mktemp("logs")) as served:
        yield served


def warm_up(url: str, program) -> None:
    """Let the server check the replica once (the first read of a process goes to the primary)."""
    support.listed_ids(url, program)
    time.sleep(1.3)
    support.listed_ids(url, program)
    time.sleep(0.3)


def test_lists_come_from_the_replica_until_it_lags_past_the_limit(cluster, program, patient, tmp_path):
    warm_up(patient.url, program)
    support.pause_replay(cluster.replica_url, True)
    try:
        lead = support.create_lead(patient.url, program, "Paused Replay Srl")

        assert lead not in support.listed_ids(patient.url, program)  # the replica has not replayed it
        assert support.lead_detail(patient.url, program, lead).status_code == 200  # the primary has
        with serving(program.serving_env(cluster.replica_url, 1), tmp_path / "logs") as strict:
            assert eventually(lambda: lead in support.listed_ids(strict.url, program))  # replica skipped
        assert lead not in support.listed_ids(patient.url, program)  # while it is still behind
    finally:
        support.pause_replay(cluster.replica_url, False)
    cluster.wait_for_replica()
    assert eventually(lambda: lead in support.listed_ids(patient.url, program))


def test_with_the_replica_stopped_lists_and_exports_keep_working_from_the_primary_without_waiting(
        cluster, program, patient):
    warm_up(patient.url, program)
    cluster.stop_replica()
    try:
        lead = support.create_lead(patient.url, program, "Stopped Replica Srl")
        slowest = 0.0
        for _ in range(15):  # across several checks of the replica
            began = time.monotonic()
            assert lead in support.listed_ids(patient.url, program)
            slowest = max(slowest, time.monotonic() - began)
            time.sleep(0.1)
        export = httpx.get(f"{patient.url}/api/v1/leads/export.csv", params={"tab": "qualified"},
                           headers={"Authorization": f"Bearer {program.admin_token}"}, timeout=10)
        assert export.status_code == 200 and "Stopped Replica Srl" in export.text
        # no list waited for the replica's connect timeout (2 s); the margin is for a loaded machine
        assert slowest < CONNECT_TIMEOUT * 0.9, f"a list took {slowest:.2f} s with the replica down"
    finally:
        cluster.start_replica()
    cluster.wait_for_replica()


def test_a_browser_that_just_acted_sees_its_change_on_the_next_page(cluster, program, patient):
    lead = support.create_lead(patient.url, program, "Read Your Writes Srl")
    cluster.wait_for_replica()
    warm_up(patient.url, program)
    browser = support.signed_in_browser(patient.url)
    other_tab = httpx.Client(base_url=patient.url, cookies={"referrals_session": browser.cookies["referrals_session"]},
                             follow_redirects=False, timeout=10)  # the same session, without the fresh cookie
    support.pause_replay(cluster.replica_url, True)
    try:
        token = support.csrf_of(browser.get(f"/leads/{lead}"))
        hearted = browser.post(f"/leads/{lead}/favorite", data={
            "favorite": "1", "next": "/leads?tab=favorites", "csrf_token": token})
        assert hearted.status_code == 303 and "referrals_fresh" in hearted.headers["set-cookie"]

        assert f"/leads/{lead}" in browser.get(hearted.headers["location"]).text  # from the primary
        assert f"/leads/{lead}" not in other_tab.get("/leads?tab=favorites").text  # from the replica
    finally:
        support.pause_replay(cluster.replica_url, False)
        browser.close()
        other_tab.close()
    cluster.wait_for_replica()
