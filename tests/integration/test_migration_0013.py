"""Migration 0013 on a database that already has leads: `updated_at` is each lead's last history entry (or its
creation), the insights triggers log nothing for it, and going back down removes it. On both databases."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, inspect, select

from referrals.domain.enums import Reason
from referrals.services.lifecycle import decline_lead
from referrals.store.migrate import downgrade, upgrade
from referrals.store.tables import insight_changes, leads
from tests import factories
from tests.integration.test_migration_0006 import blank  # noqa: F401 (fixture)

NOW = factories.NOW


def _logged(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(insight_changes)).scalar_one()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_leads_made_before_0013_get_the_time_of_their_last_change(blank: Engine):  # noqa: F811
    # given leads made at the head, one declined later, and the database stepped back to 0011
    upgrade(blank)
    tenant = factories.add_tenant(blank, "Contoso Consulting")
    declined, waiting = (factories.ingest(blank, factories.CONTACT_ME, tenant.partner_id, now=NOW - timedelta(days=3))
                         for _ in range(2))
    decline_lead(blank, tenant.admin, declined.id, Reason.SPAM, "No.", now=NOW - timedelta(days=1))
    downgrade(blank, "0011")
    assert "updated_at" not in {c["name"] for c in inspect(blank).get_columns("leads")}
    logged = _logged(blank)
    # when it is migrated to the head
    upgrade(blank)
    # then each lead's updated_at is its last change, and the insights log has no row more
    with blank.connect() as conn:
        stamps = dict(conn.execute(select(leads.c.id, leads.c.updated_at)).all())
    assert stamps == {declined.id: NOW - timedelta(days=1), waiting.id: NOW - timedelta(days=3)}
    assert _logged(blank) == logged
    assert "ix_leads_updated" in {i["name"] for i in inspect(blank).get_indexes("leads")}
