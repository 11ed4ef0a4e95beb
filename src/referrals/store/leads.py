"""Reading and writing single leads, scoped to their partner."""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, and_, insert, select, update

from referrals.domain.errors import Conflict, NotFound
from referrals.domain.history import HistoryEntry
from referrals.domain.lead import Lead
from referrals.store.leadrows import history_to_row, lead_to_row, lifecycle_columns, row_to_lead
from referrals.store.scope import of_partner
from referrals.store.tables import lead_history, lead_tallies, leads
from referrals.store.upsert import add_to


def insert_lead(conn: Connection, lead: Lead, entry: HistoryEntry, raw_payload: dict | None = None) -> None:
    conn.execute(insert(leads), [{**lead_to_row(lead), "raw_payload": raw_payload}])
    conn.execute(insert(lead_history), [history_to_row(entry)])
    _tally(conn, [lead])


def insert_leads(conn: Connection, rows: Sequence[tuple[Lead, HistoryEntry, dict | None]]) -> None:
    """The bulk path: one executemany for the leads, one for their history."""
    if not rows:
        return
    conn.execute(insert(leads), [{**lead_to_row(lead), "raw_payload": raw} for lead, _, raw in rows])
    conn.execute(insert(lead_history), [history_to_row(entry) for _, entry, _ in rows])
    _tally(conn, [lead for lead, _, _ in rows])


def _tally(conn: Connection, new: Sequence[Lead]) -> None:
    """Count the new leads into their partners' tallies (tables.lead_tallies), in the inserting transaction."""
    counts = Counter((lead.partner_id, lead.origin.qualification.value) for lead in new)
    rows = [{"partner_id": p, "qualification": q, "leads": n} for (p, q), n in sorted(counts.items())]
    add_to(conn, lead_tallies, rows, ["partner_id", "qualification"], "leads")  # in key order: no deadlock


def load_lead(conn: Connection, partner_id: str, lead_id: str) -> Lead:
    row = conn.execute(
        select(leads).where(of_partner(leads, partner_id), leads.c.id == lead_id)
    ).first()
    if row is None:
        raise NotFound("No such lead.")
    return row_to_lead(row)


def find_by_external_id(conn: Connection, partner_id: str, external_id: str) -> Lead | None:
    row = conn.execute(
        select(leads).where(of_partner(leads, partner_id), leads.c.external_id == external_id)
    ).first()
    return None if row is None else row_to_lead(row)


def find_by_external_ids(conn: Connection, partner_id: str, external_ids: Sequence[str]) -> list[Lead]:
    """The partner's leads delivered under any of these external ids, asked 500 at a time on the unique key:
    `partner_id = ? AND external_id IN (...)`, where SQLite answers a row-value IN with a scan of every lead."""
    found: list[Lead] = []
    for start in range(0, len(external_ids), 500):
        rows = conn.execute(select(leads).where(
            of_partner(leads, partner_id), leads.c.external_id.in_(external_ids[start : start + 500])))
        found.extend(row_to_lead(row) for row in rows)
    return found


def save_transition(conn: Connection, lead: Lead, entry: HistoryEntry) -> None:
    """Write the lead's new state only if nobody changed it since it was loaded.

    The version check makes two concurrent transitions on one lead resolve to one winner on both
    databases: on PostgreSQL the second UPDATE waits for the first to commit and then matches no row;
    on SQLite writers are serialised by BEGIN IMMEDIATE and the second sees the new version.
    """
    loaded_version = entry.version - 1
    result = conn.execute(
        update(leads)
        .where(
            and_(
                of_partner(leads, lead.partner_id),
                leads.c.id == lead.id,
                leads.c.version == loaded_version,
            )
        )
        .values(**lifecycle_columns(lead))
    )
    if result.rowcount != 1:
        raise Conflict("This lead was changed by someone else in the meantime; reload it and try again.")
    conn.execute(insert(lead_history), [history_to_row(entry)])


def load_history(conn: Connection, partner_id: str, lead_id: str) -> list[dict]:
    rows = conn.execute(
        select(lead_history)
        .where(of_partner(lead_history, partner_id), lead_history.c.lead_id == lead_id)
        .order_by(lead_history.c.version)
    )
    return [dict(r._mapping) for r in rows]
