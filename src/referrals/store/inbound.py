"""The marketplace's inbound keys as the endpoint reads them: stored hashed, one per partner location."""

from sqlalchemy import Connection, select

from referrals.store.tables import inbound_keys


def live_key(conn: Connection, key_hash: str) -> tuple[str, str] | None:
    """(partner id, location id) of a live key, or None for unknown and revoked keys."""
    row = conn.execute(
        select(inbound_keys.c.partner_id, inbound_keys.c.location_id).where(
            inbound_keys.c.key_hash == key_hash, inbound_keys.c.revoked_at.is_(None)
        )
    ).first()
    return None if row is None else (row.partner_id, row.location_id)
