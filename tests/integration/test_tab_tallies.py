"""The unfiltered tab counts come from per-partner tallies (tables.lead_tallies) kept by the inserts; they
must always equal what counting the leads gives, on both databases, however the leads arrived."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from referrals.domain.listing import LeadFilter, Tab
from referrals.services.ingest import ingest_many
from referrals.services.reading import set_favorite, tab_counts
from referrals.store.db import reading, writing
from referrals.store.migrate import downgrade, upgrade
from referrals.store.tables import lead_tallies, leads
from tests.factories import NOW, ingest, lead_draft

KINDS = ["contact_me", "profile", "get_it_now", "marketing", "sales", "free_trial"]


def counted(engine, partner_id: str) -> dict[str, int]:
    with reading(engine) as conn:
        return dict(conn.execute(select(leads.c.qualification, func.count()).where(leads.c.partner_id == partner_id)
                                 .group_by(leads.c.qualification)).all())


def tallied(engine, partner_id: str) -> dict[str, int]:
    with reading(engine) as conn:
        return dict(conn.execute(select(lead_tallies.c.qualification, lead_tallies.c.leads)
                                 .where(lead_tallies.c.partner_id == partner_id)).all())


def arrive(engine, tenant, other_tenant) -> list:
    """Leads of every kind, one at a time and in batches (with a repeated external id), for two partners."""
    made = [ingest(engine, kind, tenant.partner_id, now=NOW - timedelta(minutes=n)) for n, kind in enumerate(KINDS)]
    batch = [lead_draft(KINDS[n % len(KINDS)], p, external_id=f"ext-{p}-{n}")
             for p in (tenant.partner_id, other_tenant.partner_id) for n in range(9)]
    ingest_many(engine, batch, now=NOW)
    ingest_many(engine, batch[:4], now=NOW)  # delivered again: found, not counted twice
    return made


def test_tallies_match_the_leads_however_they_arrived(engine, tenant, other_tenant):
    arrive(engine, tenant, other_tenant)
    for partner in (tenant.partner_id, other_tenant.partner_id):
        assert tallied(engine, partner) == counted(engine, partner)
        assert sum(tallied(engine, partner).values()) == (15 if partner == tenant.partner_id else 9)


def test_unfiltered_counts_equal_the_counted_ones(engine, tenant, other_tenant):
    # given leads of both partners and hearts by two users of the tenant
    made = arrive(engine, tenant, other_tenant)
    for lead in made[:3]:
        set_favorite(engine, tenant.reader, lead.id, True, now=NOW)
    set_favorite(engine, tenant.admin, made[4].id, True, now=NOW)
    # when the tabs are counted without a filter (tallies) and with one that every lead matches (counting)
    fast = tab_counts(engine, tenant.reader, LeadFilter())
    everything = LeadFilter(email_validity=frozenset({"valid", "invalid", "spam", "unknown"}))
    slow = tab_counts(engine, tenant.reader, everything)
    # then both agree, and the hearts are the reader's own
    assert fast == slow
    assert fast[Tab.FAVORITES] == 3
    assert fast[Tab.MARKETPLACE] + fast[Tab.QUALIFIED] == 15


def test_the_migration_counts_the_leads_already_there(engine, tenant, other_tenant):
    # given leads written before the tallies existed (simulated: tallies emptied, then the revision rerun)
    arrive(engine, tenant, other_tenant)
    with writing(engine) as conn:
        conn.execute(delete(lead_tallies))
    downgrade(engine, "0004")
    upgrade(engine)  # 0005 again: the backfill runs
    for partner in (tenant.partner_id, other_tenant.partner_id):
        assert tallied(engine, partner) == counted(engine, partner) != {}
