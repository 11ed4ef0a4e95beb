"""A partner's own settings its Referrals admins keep: the preferred address new-lead emails go to."""

from sqlalchemy import Connection, select, update

from referrals.store.tables import partners


def notification_email(conn: Connection, partner_id: str) -> str | None:
    return conn.execute(select(partners.c.notification_email).where(partners.c.id == partner_id)).scalar_one()


def set_notification_email(conn: Connection, partner_id: str, address: str | None) -> None:
    conn.execute(update(partners).where(partners.c.id == partner_id).values(notification_email=address))
