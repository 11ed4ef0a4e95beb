"""Insights over HTTP: the issue's acceptance story (four leads: two accepted, one declined, one expired by the
sweep; then one won and one lost), the same numbers for the program's view of that partner, 404 for another
partner, the CSV tables, the partner table, the calibration, and unknown parameters refused by name."""

import csv
import io
from datetime import timedelta

import pytest

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.services.insights import fold_changes
from referrals.services.lifecycle import accept_lead
from referrals.services.ownership import assign_lead
from referrals.services.scheduled import run_once
from tests import factories
from tests.e2e.conftest import accept_body, is_problem, user

CREATED = factories.NOW - timedelta(days=30)
ANSWERED = CREATED + timedelta(hours=1)
DAY = CREATED.date().isoformat()


@pytest.fixture
def story(client, clock, engine, partner_a):
    """Partner A's four Contact me leads, answered an hour after they arrived, one left to expire, two closed."""
    leads = [factories.ingest(engine, factories.CONTACT_ME, partner_a.id, now=CREATED) for _ in range(4)]
    clock.now = ANSWERED
    headers = partner_a.admin.headers
    for lead in leads[:2]:
        accepted = client.post(f"/api/v1/leads/{lead.id}/accept", json=accept_body(partner_a.admin.id),
                               headers=headers)
        assert accepted.status_code == 200, accepted.text
    declined = client.post(f"/api/v1/leads/{leads[2].id}/decline", json={"reason": "spam", "notes": "Not real."},
                           headers=headers)
    assert declined.status_code == 200, declined.text
    clock.now = factories.NOW
    report = run_once(engine, Settings(database_url="sqlite://"), now=factories.NOW)  # `referrals sweep --now`
    assert report.sweep.expired == 1
    assert client.post(f"/api/v1/leads/{leads[0].id}/close", json={"outcome": "won"}, headers=headers).is_success
    lost = {"outcome": "lost", "reason": "chose_another_vendor"}
    assert client.post(f"/api/v1/leads/{leads[1].id}/close", json=lost, headers=headers).is_success
    return leads


def test_the_acceptance_story_counts_as_the_issue_says(client, partner_a, story):
    # when partner A asks for its insights over the default 90 days
    body = client.get("/api/v1/insights", headers=partner_a.reader.headers).json()
    # then
    assert body["totals"] == {"received": 4, "accepted": 2, "declined": 1, "expired": 1, "won": 1, "lost": 1,
                              "open": 0}
    assert (body["acceptance_rate"], body["win_rate"]) == (0.5, 0.5)
    assert body["response"] == {"answered": 3, "median_hours": 1, "p90_hours": 1, "within_24h": 0.75,
                                "within_72h": 0.75, "sla_met": 0.75}
    assert body["value"] == {"won": [{"amount": "25000.00", "currency": "EUR"}], "open": []}
    assert body["partner_id"] == partner_a.id and body["interval"] == "week"
    assert body["to"] == factories.NOW.date().isoformat()
    assert body["breakdown"]["owner"] == []
    assert body["breakdown"]["call_to_action"] == [
        {"key": "contact_me", "received": 4, "accepted": 2, "won": 1, "lost": 1, "acceptance_rate": 0.5,
         "win_rate": 0.5, "median_hours": 1}]
    week = [point for point in body["series"] if point["received"]]
    assert week == [{"start": (CREATED.date() - timedelta(days=CREATED.weekday())).isoformat(), "received": 4,
                     "accepted": 2, "declined": 1, "expired": 1, "won": 1, "lost": 1}]
    # with no other partner receiving leads, the program's figures would be its own: none are shown
    assert body["program"] is None


def test_the_program_comparison_shows_only_beside_five_other_partners_with_leads(client, engine, partner_a, story):
    # given four other partners with leads in the period: the program minus partner A would be theirs alone
    others = [factories.add_tenant(engine, f"Other {i}") for i in range(5)]
    for tenant in others[:4]:
        factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id, now=CREATED)
    fold_changes(engine)  # the gate counts partners in the rollups (the job folds every five minutes)
    assert client.get("/api/v1/insights", headers=partner_a.reader.headers).json()["program"] is None
    # when a fifth one receives a lead, then the comparison shows, over all five and partner A, naming nobody
    factories.ingest(engine, factories.CONTACT_ME, others[4].partner_id, now=CREATED)
    fold_changes(engine)
    program = client.get("/api/v1/insights", headers=partner_a.reader.headers).json()["program"]
    assert program is not None and set(program) == {"acceptance_rate", "win_rate", "response"}
    assert program["response"]["answered"] == 3  # partner A's three answers; the others answered none


def test_the_program_sees_the_same_numbers_for_that_partner_and_another_partner_gets_404(
        client, engine, partner_a, partner_b, story):
    seller = user(engine, None, Role.PROGRAM_SELLER)
    own = client.get("/api/v1/insights", headers=partner_a.admin.headers).json()
    staff = client.get(f"/api/v1/insights?partner_id={partner_a.id}", headers=seller.headers).json()
    assert staff == own
    program = client.get("/api/v1/insights", headers=seller.headers).json()
    assert (program["partner_id"], program["program"]) == (None, None)
    assert (program["totals"], program["response"]) == (own["totals"], own["response"])
    # partner B may not look at partner A, and its own insights are empty
    is_problem(client.get(f"/api/v1/insights?partner_id={partner_a.id}", headers=partner_b.admin.headers),
               404, "not_found")
    assert client.get("/api/v1/insights", headers=partner_b.admin.headers).json()["totals"]["received"] == 0


def test_the_numbers_hold_before_and_after_the_rollup_is_folded(client, engine, partner_a, story):
    from referrals.services.insights import fold_changes

    before = client.get("/api/v1/insights?interval=month", headers=partner_a.admin.headers).json()
    assert fold_changes(engine) == 4  # the sweep folded the log; the two closings since (before, after) are in it
    after = client.get("/api/v1/insights?interval=month", headers=partner_a.admin.headers).json()
    assert before == after


def test_csv_tables_hold_the_same_numbers(client, partner_a, story):
    headers = partner_a.admin.headers
    body = client.get(f"/api/v1/insights?from={DAY}&to={DAY}", headers=headers).json()
    series = client.get(f"/api/v1/insights.csv?table=series&from={DAY}&to={DAY}", headers=headers)
    assert series.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(series.text)))
    assert list(rows[0]) == ["start", "received", "accepted", "declined", "expired", "won", "lost"]
    assert [{k: int(v) for k, v in row.items() if k != "start"} for row in rows] == [
        {k: v for k, v in point.items() if k != "start"} for point in body["series"]]
    by_country = client.get(f"/api/v1/insights.csv?table=breakdown&by=country&from={DAY}&to={DAY}", headers=headers)
    rows = list(csv.DictReader(io.StringIO(by_country.text)))
    assert rows == [{"key": "IT", "received": "4", "accepted": "2", "won": "1", "lost": "1",
                     "acceptance_rate": "0.5", "win_rate": "0.5", "median_hours": "1"}]


def test_unknown_or_bad_parameters_answer_422_naming_them(client, partner_a):
    headers = partner_a.admin.headers
    for path, field in (("/api/v1/insights?form=2026-01-01", "form"), ("/api/v1/insights?interval=day", "interval"),
                        ("/api/v1/insights.csv?table=series&by=region", "by"),
                        ("/api/v1/insights?owner=NOT%20AN%20ID", "owner"),
                        ("/api/v1/insights?from=2026-02-01&to=2026-01-01", None)):
        body = is_problem(client.get(path, headers=headers), 422, "validation_error")
        if field:
            assert field in str(body), body


def test_the_partner_table_and_the_calibration_are_for_program_staff(client, engine, partner_a, partner_b, story):
    seller = user(engine, None, Role.PROGRAM_SELLER)
    table = client.get("/api/v1/insights/partners?sort=received", headers=seller.headers).json()
    rows = {row["partner_id"]: row for row in table["partners"]}
    own = client.get("/api/v1/insights", headers=partner_a.admin.headers).json()
    assert rows[partner_a.id]["totals"] == own["totals"] and rows[partner_a.id]["response"] == own["response"]
    assert table["partners"][0]["partner_id"] == partner_a.id  # most received first
    assert rows[partner_b.id]["totals"]["received"] == 0 and rows[partner_b.id]["acceptance_rate"] is None
    by_rate = client.get("/api/v1/insights/partners?sort=acceptance_rate&order=asc", headers=seller.headers).json()
    assert [row["partner_id"] for row in by_rate["partners"]][-1] == partner_b.id  # no rate: last
    calibration = client.get("/api/v1/insights/quality", headers=seller.headers).json()
    assert calibration["leads"] == 3 and len(calibration["bands"]) == 10  # won, lost, declined
    assert sum(band["won"] for band in calibration["bands"]) == 1
    for path in ("/api/v1/insights/partners", "/api/v1/insights/quality"):
        is_problem(client.get(path, headers=partner_a.admin.headers), 403, "forbidden")


def test_dates_far_out_answer_422_not_500(client, partner_a):
    for query in ("from=0001-01-01&to=0001-01-02", "from=9999-12-30&to=9999-12-31", "to=1999-12-31"):
        is_problem(client.get(f"/api/v1/insights?{query}", headers=partner_a.admin.headers), 422, "validation_error")


def test_the_owner_breakdown_and_filter_count_each_owners_leads(client, engine, partner_a, clock):
    # given three leads: two owned by the admin (one accepted), one by the reader, and one nobody owns
    mine = [factories.ingest(engine, factories.CONTACT_ME, partner_a.id, now=clock.now) for _ in range(2)]
    theirs = factories.ingest(engine, factories.PROFILE, partner_a.id, now=clock.now)
    factories.ingest(engine, factories.SALES, partner_a.id, now=clock.now)
    for lead, owner in ((mine[0], partner_a.admin), (mine[1], partner_a.admin), (theirs, partner_a.reader)):
        assign_lead(engine, partner_a.tenant.admin, lead.id, owner.id, now=clock.now)
    accept_lead(engine, partner_a.tenant.admin, mine[0].id, factories.deal_terms((partner_a.admin.id,)),
                now=clock.now + timedelta(hours=2))
    clock.now += timedelta(hours=3)
    # then the breakdown has one row per owner, and the filter counts one owner's (or nobody's) leads
    whole = client.get("/api/v1/insights", headers=partner_a.admin.headers).json()
    rows = {row["key"]: row for row in whole["breakdown"]["owner"]}
    assert {key: (r["received"], r["accepted"]) for key, r in rows.items()} == {
        partner_a.admin.id: (2, 1), partner_a.reader.id: (1, 0)}
    assert rows[partner_a.admin.id]["median_hours"] == 2
    fold_changes(engine)  # the same from the rollup as from the log
    assert client.get("/api/v1/insights", headers=partner_a.admin.headers).json() == whole
    for owner, received, accepted in (("me", 2, 1), (partner_a.reader.id, 1, 0), ("none", 1, 0)):
        found = client.get("/api/v1/insights", params={"owner": owner}, headers=partner_a.admin.headers).json()
        assert (found["totals"]["received"], found["totals"]["accepted"]) == (received, accepted), owner
    mine_only = client.get("/api/v1/insights?owner=me", headers=partner_a.admin.headers).json()
    assert mine_only["response"]["median_hours"] == rows[partner_a.admin.id]["median_hours"]
    assert [r["key"] for r in mine_only["breakdown"]["owner"]] == [partner_a.admin.id]
    # and the program's whole view has no owner rows
    seller = user(engine, None, Role.PROGRAM_SELLER)
    program = client.get("/api/v1/insights", headers=seller.headers).json()
    assert program["breakdown"]["owner"] == [] and program["totals"]["received"] >= 4
    is_problem(client.get("/api/v1/insights?owner=me", headers=seller.headers), 422, "validation_error")
