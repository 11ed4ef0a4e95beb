"""Erasing a person on both databases: after `erase_person`, no column of any table holds their address, name or
phone; their leads keep the facts insights count, other customers keep theirs, and running it again changes
nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from referrals.config import get_settings
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.privacy import address_forms, address_hash
from referrals.services import screening
from referrals.services.privacy import erase_in, erase_person, list_erasures, preview_erasure
from referrals.store import privacy as store
from referrals.store.db import reading, writing
from referrals.store.tables import digest_items, erasures, insight_changes, leads, outbox, webhook_deliveries
from tests import factories, privacy_world
from tests.factories import NOW


@pytest.fixture
def world(engine, monkeypatch):
    monkeypatch.setenv("REFERRALS_DIGEST_THRESHOLD", "1")  # the second new-lead email of a day goes to a digest
    get_settings.cache_clear()
    built = privacy_world.build(engine)
    yield built
    get_settings.cache_clear()


def lead_row(engine, lead_id):
    with reading(engine) as conn:
        return conn.execute(select(leads).where(leads.c.id == lead_id)).one()


def count(engine, table, *where) -> int:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_the_world_holds_the_person_everywhere_before_the_erasure(engine, world):
    # given the world, the places the sweeping test relies on do hold her (so its passing means something)
    places = privacy_world.places_holding_traces(engine)
    for place in ("leads.customer_email", "leads.raw_payload", "leads.message", "leads.search_text",
                  "leads.deal_contacts", "leads.deal_name", "leads.closing_notes", "outbox.recipient",
                  "outbox.context", "webhook_deliveries.body", "saved_views.query", "blocklist.entry",
                  "digest_items.context"):
        assert place in places, place
    with reading(engine) as conn:
        digests = conn.execute(select(outbox.c.context).where(outbox.c.template == "digest")).scalars().all()
    assert any(privacy_world.traces_in(str(context)) for context in digests)  # found by lead id, not by address
    assert not any(privacy_world.EMAIL.lower() in str(context).lower() for context in digests)


def test_after_the_erasure_no_column_of_any_table_holds_the_address_name_or_phone(engine, world):
    erase_person(engine, world.program_admin, privacy_world.EMAIL.upper(), now=NOW)

    assert privacy_world.places_holding_traces(engine) == {}


def test_the_erased_leads_keep_their_facts_and_other_customers_keep_theirs(engine, world):
    before = lead_row(engine, world.accepted_id)
    erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)
    after = lead_row(engine, world.accepted_id)
    for column in ("status", "outcome", "customer_company", "customer_country", "customer_industry", "source",
                   "created_at", "deal_amount", "quality_probability", "version"):
        assert after._mapping[column] == before._mapping[column], column
    assert (after.customer_first_name, after.customer_email, after.message, after.raw_payload) == ("", "", "", None)
    assert after.deal_name == "[erased] CRM rollout" and after.deal_contacts == []
    assert after.erased_at == NOW and after.updated_at == NOW
    other = lead_row(engine, world.listing_id)
    assert other.customer_email == privacy_world.OTHER_EMAIL and other.customer_first_name == "Giulia"
    assert other.deal_contacts == [] and other.deal_amount == Decimal("25000.00")


def test_the_marketplace_lead_loses_its_payload_and_its_fingerprint(engine, world):
    erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    row = lead_row(engine, world.marketplace_id)
    assert row.raw_payload is None and row.external_id is None


def test_the_erasure_writes_nothing_to_the_insights_change_log(engine, world):
    logged = count(engine, insight_changes)
    erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert count(engine, insight_changes) == logged


def test_an_email_still_waiting_for_the_person_is_withdrawn_and_others_about_them_still_go(engine, world):
    pending_before = count(engine, outbox, outbox.c.status == "pending")
    done = erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert done.counts["emails_withdrawn"] == 1
    assert count(engine, outbox, outbox.c.status == "pending") == pending_before - 1
    assert count(engine, outbox, outbox.c.recipient == "[erased]", outbox.c.status == "failed") == 1


def test_digest_items_and_webhook_deliveries_about_the_person_are_redacted(engine, world):
    assert count(engine, digest_items) > 0 and count(engine, webhook_deliveries) > 0
    done = erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert done.counts["digest_items"] > 0 and done.counts["webhook_deliveries"] > 0
    with reading(engine) as conn:
        bodies = conn.execute(select(webhook_deliveries.c.body)).scalars().all()
    assert all(not privacy_world.traces_in(body) for body in bodies)


def test_the_block_list_entry_of_the_address_goes_and_the_screening_cache_forgets_it(engine, world):
    with reading(engine) as conn:
        assert privacy_world.EMAIL.lower() in screening.context_for(conn).blocked
    done = erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert done.counts["blocklist"] == 1
    with reading(engine) as conn:
        assert privacy_world.EMAIL.lower() not in screening.context_for(conn).blocked


def test_running_it_twice_is_harmless_and_each_run_is_recorded_without_the_address(engine, world):
    first = erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)
    second = erase_person(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert first.counts["leads"] == 4 and first.counts["deal_contacts"] == 1
    assert set(second.counts.values()) == {0}
    records = list_erasures(engine, world.program_admin)
    assert [r["kind"] for r in records] == ["request", "request"]
    with reading(engine) as conn:
        row = conn.execute(select(erasures).where(erasures.c.id == first.id)).one()
    assert address_hash(privacy_world.EMAIL.upper(), row.salt)[1] == row.address_hash


def test_a_dry_run_counts_what_would_go_and_changes_nothing(engine, world):
    counts = preview_erasure(engine, world.program_admin, privacy_world.EMAIL, now=NOW)

    assert counts["leads"] == 4
    assert lead_row(engine, world.accepted_id).customer_email == privacy_world.EMAIL
    assert count(engine, erasures) == 0


def test_only_program_admins_may_erase_and_a_bad_address_is_refused_naming_it(engine, world):
    with pytest.raises(Forbidden):
        erase_person(engine, world.a.admin, privacy_world.EMAIL, now=NOW)
    seller = factories.add_principal(engine, None, Role.PROGRAM_SELLER)
    with pytest.raises(Forbidden):
        erase_person(engine, seller, privacy_world.EMAIL, now=NOW)
    with pytest.raises(InvalidInput, match="not an email address"):
        erase_person(engine, world.program_admin, "ottavia", now=NOW)
    assert lead_row(engine, world.accepted_id).customer_email == privacy_world.EMAIL
    assert count(engine, erasures) == 0


def test_another_process_forgets_its_cached_contacts_at_its_next_screening_reload(engine, world):
    # given screening caches holding the person's phone, as a process that screened her leads has
    from referrals.domain import validity

    with reading(engine) as conn:
        screening.load_context(conn)  # the process's last reload, before any erasure
    validity.judge_phone(privacy_world.PHONE, "IT")
    assert validity._judge_phone.cache_info().currsize > 0
    # when an erasure is recorded by some other process (only the database row is shared)
    with writing(engine) as conn:
        forms = address_forms(privacy_world.EMAIL)
        erase_in(conn, forms, NOW, store.candidates(conn, forms))
        store.record(conn, at=NOW, by="elsewhere", kind="request", salt=None, address_hash=None, counts={})
    assert validity._judge_phone.cache_info().currsize > 0
    # then this process's next reload of its screening context (every CACHE_SECONDS) clears them
    with reading(engine) as conn:
        screening.load_context(conn)
    assert validity._judge_phone.cache_info().currsize == 0
