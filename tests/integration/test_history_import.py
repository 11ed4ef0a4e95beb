"""Bringing a program's history: closed leads replayed through the lifecycle at their past times, quietly (no email,
no webhook), idempotent by ExternalId, with a dry run and per-row errors. Both databases."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from referrals.domain.access import Principal
from referrals.domain.enums import Reason, Role
from referrals.domain.errors import Forbidden
from referrals.services.history_import import import_history
from referrals.services.lifecycle import decline_lead
from referrals.services.webhooks import create_webhook
from referrals.store.tables import digest_items, lead_history, leads, outbox, webhook_deliveries
from tests import factories

HEADER = ["PartnerId", "ExternalId", "Qualification", "LeadSource", "CustomerCompany", "CustomerLastName",
          "CustomerEmail", "CustomerCountry", "ReceivedDateTime", "Outcome", "ClosingReason", "AcceptedDateTime",
          "ArchivedDateTime", "DealValue", "DealCurrency"]
OUTCOMES = ("won", "lost", "declined")


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def history_row(partner_id: str, index: int, **overrides: str) -> dict[str, str]:
    received = factories.NOW - timedelta(days=400) + timedelta(hours=7 * index)
    outcome = OUTCOMES[index % 3]
    row = {
        "PartnerId": partner_id, "ExternalId": f"old-{index}", "Qualification": "sales", "LeadSource": "azure_portal",
        "CustomerCompany": f"Customer {index} Srl", "CustomerLastName": "Rossi",
        "CustomerEmail": f"buyer{index}@customer{index}.example", "CustomerCountry": "IT",
        "ReceivedDateTime": iso(received), "Outcome": outcome,
        "ClosingReason": "" if outcome == "won" else "budget_not_adequate",
        "AcceptedDateTime": "" if outcome == "declined" else iso(received + timedelta(days=2)),
        "ArchivedDateTime": iso(received + timedelta(days=3 if outcome == "declined" else 40)),
        "DealValue": "" if outcome == "declined" else str(1000 + index), "DealCurrency": "" if outcome == "declined"
        else "EUR",
    }
    return row | overrides


def as_csv(rows: list[dict[str, str]]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    out.seek(0)
    return out


def count(engine: Engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


@pytest.fixture
def program_admin(engine: Engine) -> Principal:
    return factories.add_principal(engine, None, Role.PROGRAM_ADMIN)


def test_importing_a_thousand_past_leads_with_outcomes_tells_nobody_and_a_second_run_creates_nothing(
        engine, tenant, program_admin):
    rows = [history_row(tenant.partner_id, i) for i in range(1000)]
    for who in (tenant.admin, program_admin):  # the partner's and the program's webhooks listen to every event
        create_webhook(engine, who, "https://hooks.example.com/all", ["*"], now=factories.NOW, allow_hosts=())

    report = import_history(engine, program_admin, as_csv(rows), now=factories.NOW)
    assert (report.rows, report.created, report.existing, report.errors) == (1000, 1000, 0, [])
    assert count(engine, outbox) == 0 and count(engine, digest_items) == 0
    assert count(engine, webhook_deliveries) == 0
    assert count(engine, leads, leads.c.status == "archived") == 1000
    for outcome in OUTCOMES:
        assert count(engine, leads, leads.c.outcome == outcome) in (333, 334)

    again = import_history(engine, program_admin, as_csv(rows), now=factories.NOW)
    assert (again.created, again.existing, again.errors) == (0, 1000, [])
    assert count(engine, leads) == 1000 and count(engine, outbox) == 0 and count(engine, webhook_deliveries) == 0


def test_each_lead_lived_its_past_times(engine, tenant, program_admin):
    row = history_row(tenant.partner_id, 0)  # won: received, accepted two days later, closed 40 days after that
    import_history(engine, program_admin, as_csv([row]), now=factories.NOW)
    with engine.connect() as conn:
        lead = conn.execute(select(leads)).one()
        steps = conn.execute(select(lead_history.c.action, lead_history.c.at).order_by(lead_history.c.version)).all()
    assert [s.action for s in steps] == ["received", "accepted", "won"]
    assert iso(steps[0].at) == row["ReceivedDateTime"] and iso(steps[2].at) == row["ArchivedDateTime"]
    assert iso(lead.accepted_at) == row["AcceptedDateTime"] and lead.deal_amount == 1000


def test_a_dry_run_reports_per_row_errors_and_writes_nothing(engine, tenant, program_admin):
    rows = [
        history_row(tenant.partner_id, 0),
        history_row(tenant.partner_id, 1, ClosingReason=""),  # lost without a reason
        history_row("no-such-partner", 2),
        history_row(tenant.partner_id, 3, ReceivedDateTime=iso(factories.NOW + timedelta(days=1))),
        history_row(tenant.partner_id, 5, ArchivedDateTime=iso(factories.NOW - timedelta(days=300))),  # day 38
    ]
    report = import_history(engine, program_admin, as_csv(rows), now=factories.NOW, dry_run=True)
    assert (report.rows, report.created) == (5, 1)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "ClosingReason"), (4, "ReceivedDateTime"), (4, "AcceptedDateTime"), (5, "ArchivedDateTime"),
        (3, "PartnerId")]
    assert count(engine, leads) == 0

    real = import_history(engine, program_admin, as_csv(rows), now=factories.NOW)
    assert real.created == 1 and count(engine, leads) == 1 and count(engine, outbox) == 0


def test_only_a_program_admin_imports_history(engine, tenant):
    seller = factories.add_principal(engine, None, Role.PROGRAM_SELLER)
    with pytest.raises(Forbidden):
        import_history(engine, seller, as_csv([history_row(tenant.partner_id, 0)]), now=factories.NOW)
    with pytest.raises(Forbidden):
        import_history(engine, tenant.admin, as_csv([history_row(tenant.partner_id, 0)]), now=factories.NOW)


def test_a_quiet_transition_queues_no_email_where_the_same_one_told_the_customer(engine, tenant):
    told = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    quiet = factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id)
    queued = count(engine, outbox)
    decline_lead(engine, tenant.admin, told.id, Reason.NOT_A_CUSTOMER, "Not for us.", now=factories.NOW)
    assert count(engine, outbox) == queued + 1
    decline_lead(engine, tenant.admin, quiet.id, Reason.NOT_A_CUSTOMER, "Not for us.", now=factories.NOW, quiet=True)
    assert count(engine, outbox) == queued + 1
