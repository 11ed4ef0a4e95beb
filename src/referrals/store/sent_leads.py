"""The leads a program staff member sent: a lead read scoped to the sender, not to a partner, because the
sender follows their leads into whichever partner each went to."""

from sqlalchemy import Connection, select

from referrals.domain.enums import ReferrerKind
from referrals.domain.lead import Lead
from referrals.store.leadrows import row_to_lead
from referrals.store.tables import leads, partners


def sent_by(conn: Connection, user_id: str, *, limit: int) -> list[tuple[Lead, str]]:
    """Newest first, each with the name of the partner it went to."""
    rows = conn.execute(
        select(leads, partners.c.name.label("partner_name"))
        .join(partners, partners.c.id == leads.c.partner_id)
        .where(leads.c.referrer_kind == ReferrerKind.STAFF.value, leads.c.referrer_id == user_id)
        .order_by(leads.c.created_at.desc(), leads.c.id.desc())
        .limit(limit)
    ).all()
    return [(row_to_lead(row), row.partner_name) for row in rows]
