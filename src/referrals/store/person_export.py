"""The SQL of `referrals privacy export`: every row held about one person (by their address forms), read whole."""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, func, or_, select

from referrals.store.privacy import by_partner, chunks, mentions
from referrals.store.tables import lead_history, leads


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
