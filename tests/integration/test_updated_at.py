"""`leads.updated_at` (the referrals' updatedDateTime) is set on arrival and moved by every change of a lead: an
action, an owner change, a bulk action, the sweep's set-based expiry and retirement. On both databases."""

from datetime import datetime

from sqlalchemy import Engine, select

from referrals.domain.bulk import BulkAction, BulkParams
from referrals.domain.enums import Reason
from referrals.services import bulk
from referrals.services.ownership import assign_lead
from referrals.services.sweep import sweep
from referrals.store.db import reading
from referrals.store.tables import leads
from tests import factories
from tests.factories import NOW, days


def _updated(engine: Engine, lead_id: str) -> datetime:
    with reading(engine) as conn:
        return conn.execute(select(leads.c.updated_at).where(leads.c.id == lead_id)).scalar_one()


def test_every_change_moves_updated_at(engine: Engine):
    tenant = factories.add_tenant(engine)
    owned, declined, expiring = (factories.ingest(engine, factories.CONTACT_ME, tenant.partner_id) for _ in range(3))
    informational = factories.ingest(engine, factories.GET_IT_NOW, tenant.partner_id)
    assert {_updated(engine, lead.id) for lead in (owned, declined, expiring, informational)} == {NOW}

    assign_lead(engine, tenant.admin, owned.id, tenant.reader.user_id, now=NOW + days(1))
    assert _updated(engine, owned.id) == NOW + days(1)

    bulk.act_on_ids(engine, tenant.admin, BulkAction.DECLINE, BulkParams(Reason.SPAM, "Fake."), [declined.id],
                    now=NOW + days(2))
    assert _updated(engine, declined.id) == NOW + days(2)

    sweep(engine, now=NOW + days(15), remind=False)
    assert _updated(engine, expiring.id) == NOW + days(15)
    assert _updated(engine, owned.id) == NOW + days(15)  # never answered: it expired too
    sweep(engine, now=NOW + days(200), remind=False)
    assert _updated(engine, informational.id) == NOW + days(200)
    assert _updated(engine, declined.id) == NOW + days(2)  # the sweep left the archived one alone
