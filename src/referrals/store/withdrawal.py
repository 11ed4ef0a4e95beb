"""Emails a just-deactivated user was still to get: pending outbox messages and new-lead emails held for a
digest, addressed to them within their partner, are withdrawn in the deactivating transaction. An address someone
else of the partner also receives at (a shared team desk) is left alone."""

from datetime import datetime

from sqlalchemy import Connection, and_, or_, select, update

from referrals.store.scope import of_partner
from referrals.store.tables import digest_items, outbox, partners, users

WITHDRAWN = "withdrawn: the recipient was deactivated"


def own_addresses(conn: Connection, partner_id: str, user_id: str) -> tuple[str, set[str]]:
    """The user's sign-in address, and every address only they receive at (their notification address, unless
    another active user of the partner or the partner itself uses it)."""
    me = conn.execute(select(users.c.email, users.c.notification_email).where(users.c.id == user_id)).one()
    addresses = {me.email}
    if me.notification_email:
        others = conn.execute(
            select(users.c.email, users.c.notification_email)
            .where(of_partner(users, partner_id), users.c.active.is_(True), users.c.id != user_id)
        ).all()
        shared = {a for row in others for a in row if a}
        shared.add(conn.execute(select(partners.c.notification_email).where(partners.c.id == partner_id))
                   .scalar_one() or "")
        if me.notification_email not in shared:
            addresses.add(me.notification_email)
    return me.email, addresses


def withdraw(conn: Connection, partner_id: str, user_id: str, now: datetime) -> int:
    """Withdraw what is still to be sent to the user (failed, with WITHDRAWN as the reason, so program admins see
    it); answers how many outbox messages. A message a worker is sending right now may still go."""
    email, addresses = own_addresses(conn, partner_id, user_id)
    mine = or_(outbox.c.partner_id == partner_id, and_(outbox.c.partner_id.is_(None), outbox.c.recipient == email))
    done = conn.execute(update(outbox).where(outbox.c.status == "pending", outbox.c.recipient.in_(addresses), mine)
                        .values(status="failed", last_error=WITHDRAWN))
    conn.execute(update(digest_items).where(of_partner(digest_items, partner_id), digest_items.c.digested_at.is_(None),
                                            digest_items.c.recipient.in_(addresses))
                 .values(digested_at=now))
    return done.rowcount
