"""Migration 0007 on a database that already has leads: each lead is logged once, the first fold builds the
rollups from them, and going back down removes the rollups and the triggers. On both databases."""

from datetime import timedelta

from sqlalchemy import Engine, func, inspect, select, text

from referrals.domain.enums import Reason
from referrals.services.insights import InsightQuery, fold_changes, insights
from referrals.services.lifecycle import decline_lead
from referrals.store.migrate import downgrade, upgrade
from referrals.store.tables import insight_changes
from tests import factories
from tests.integration.test_migration_0006 import blank  # noqa: F401 (fixture)

NOW = factories.NOW


def test_leads_made_before_0007_are_counted_once_the_log_is_folded(blank: Engine):  # noqa: F811
    # given a database at 0006 with a partner's leads, one declined (made by today's code at the head, then
    # stepped down: the code writes the head's columns)
    upgrade(blank)
    tenant = factories.add_tenant(blank, "Contoso Consulting")
    made = [factories.ingest(blank, kind, tenant.partner_id, now=NOW - timedelta(days=3))
            for kind in (factories.CONTACT_ME, factories.PROFILE, factories.GET_IT_NOW)]
    decline_lead(blank, tenant.admin, made[0].id, Reason.SPAM, "No.", now=NOW - timedelta(days=2))
    downgrade(blank, "0006")
    # when it is migrated to the head
    upgrade(blank)
    # then every lead is in the log once, and the view is the same before and after the first fold
    with blank.connect() as conn:
        assert conn.execute(select(func.count()).select_from(insight_changes)).scalar_one() == 3
    before = insights(blank, tenant.reader, InsightQuery(), now=NOW)
    assert fold_changes(blank) == 3
    after = insights(blank, tenant.reader, InsightQuery(), now=NOW)
    assert before == after
    assert (after.view.totals["received"], after.view.totals["declined"], after.view.informational) == (
        2, 1, {"get_it_now": 1})


def test_going_back_below_0007_removes_the_rollups_and_the_triggers(blank: Engine):  # noqa: F811
    upgrade(blank)
    factories.add_tenant(blank, "Contoso Consulting")
    downgrade(blank, "0006")
    names = set(inspect(blank).get_table_names())
    assert not names & {"insight_changes", "insight_rollup", "insight_program_rollup"}
    with blank.begin() as conn:  # a lead written at 0006: no trigger left to fail
        conn.execute(text(
            "INSERT INTO leads (partner_id, id, location_id, qualification, type, source, call_to_action, "
            "informational, referrer_kind, email_validity, phone_validity, spam_reasons, quality_label, "
            "quality_probability, quality_factors, status, created_at, deadline_at, version) "
            "SELECT partner_id, 'lead1', id, 'direct', 'profile', 'appsource', NULL, false, 'marketplace', "
            "'unknown', 'unknown', '[]', 'low', 0.1, '[]', 'received', :now, :now, 1 FROM locations"),
            {"now": NOW})
    upgrade(blank)
    with blank.connect() as conn:
        assert conn.execute(select(func.count()).select_from(insight_changes)).scalar_one() == 1
