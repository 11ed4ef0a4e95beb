"""The SQL of `referrals privacy export`: every row held about one person (by their address forms), read whole."""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, func, or_, select

from referrals.store.privacy import about_leads, by_partner, chunks, mentions
from referrals.store.tables import digest_items, lead_history, leads, outbox, webhook_deliveries


def lead_rows(conn: Connection, forms: Collection[str]) -> list[Any]:
    """Every lead whose customer, or one of whose deal's customer contacts, is at one of the addresses."""
    mine = func.lower(leads.c.customer_email).in_(sorted(forms))
    listed = leads.c.deal_contacts.is_not(None) & mentions(leads.c.deal_contacts, forms)
    return conn.execute(select(leads).where(or_(mine, listed)).order_by(leads.c.created_at, leads.c.id)).all()


def history_rows(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[Any]:
    return [row for partner_id, lead_ids in by_partner(keys).items() for part in chunks(lead_ids)
            for row in conn.execute(select(lead_history).where(lead_history.c.partner_id == partner_id,
                                                               lead_history.c.lead_id.in_(list(part)))
                                    .order_by(lead_history.c.lead_id, lead_history.c.version)).all()]


def outbox_rows(conn: Connection, lead_ids: Sequence[str], forms: Collection[str]) -> list[Any]:
    """Emails to the person or about one of their leads (the key names the lead), oldest first."""
    about = about_leads(outbox.c.idempotency_key, lead_ids)
    where = or_(func.lower(outbox.c.recipient).in_(sorted(forms)), mentions(outbox.c.context, forms), *about)
    return conn.execute(select(outbox.c.id, outbox.c.template, outbox.c.recipient, outbox.c.status,
                               outbox.c.created_at, outbox.c.sent_at, outbox.c.context)
                        .where(where).order_by(outbox.c.created_at, outbox.c.id)).all()


def digest_rows(conn: Connection, lead_ids: Sequence[str]) -> list[Any]:
    if not lead_ids:
        return []
    return conn.execute(select(digest_items.c.recipient, digest_items.c.day, digest_items.c.lead_id,
                               digest_items.c.context, digest_items.c.digested_at)
                        .where(digest_items.c.lead_id.in_(list(lead_ids)))).all()


def delivery_rows(conn: Connection, lead_ids: Sequence[str], forms: Collection[str]) -> list[Any]:
    where = or_(webhook_deliveries.c.lead_id.in_(list(lead_ids)), mentions(webhook_deliveries.c.body, forms))
    return conn.execute(select(webhook_deliveries.c.id, webhook_deliveries.c.webhook_id, webhook_deliveries.c.lead_id,
                               webhook_deliveries.c.event, webhook_deliveries.c.status, webhook_deliveries.c.created_at,
                               webhook_deliveries.c.delivered_at, webhook_deliveries.c.body)
                        .where(where).order_by(webhook_deliveries.c.created_at)).all()
