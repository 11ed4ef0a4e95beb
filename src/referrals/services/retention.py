"""Retention (REFERRALS_RETENTION_MONTHS): the sweep anonymises leads archived longer ago than that — the same
erasure of personal fields as a request (domain/privacy.py: `erased_lead`), by lead instead of by address — in
batches walked on `ix_leads_retention`, each in its own transaction with the redaction of its leads' history; then
it deletes emails, webhook deliveries and digest items older than the period (pending ones never). Unset, the sweep
does none of this. docs/privacy.md."""

from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.privacy import Identifiers, erased_lead, identifiers_of, redact, retention_cutoff
from referrals.services import screening
from referrals.store import privacy as store
from referrals.store.db import writing


def anonymise_archived(engine: Engine, *, now: datetime, months: int, batch: int) -> int:
    """Anonymise every lead archived more than `months` ago; answers how many. Resumable: each batch commits with
    its leads marked `erased_at`, so a run cut short leaves the rest for the next sweep."""
    before, total, history = retention_cutoff(now, months), 0, 0
    while True:
        with writing(engine) as conn:
            due = store.due_for_retention(conn, before, batch)
            store.write_leads(conn, [{"partner_id": r.partner_id, "id": r.id, **erased_lead(r, Identifiers(), now)}
                                     for r in due])
            history += _redact_history(conn, due)
        total += len(due)
        if len(due) < batch:
            break
    with writing(engine) as conn:
        purged = store.purge_messages(conn, before)
        if total or any(purged.values()):
            store.record(conn, at=now, by="retention", kind="retention", salt=None, address_hash=None,
                         counts={"leads": total, "history": history, **purged})
    if total:
        screening.forget_people()
    return total


def _redact_history(conn, due: list) -> int:
    """History details that name the lead's customer lose them (each lead's own identifiers)."""
    who = {(r.partner_id, r.id): _identifiers(r) for r in due}
    changed = []
    for row in store.history_of(conn, sorted(who)):
        details = redact(row.details, who[(row.partner_id, row.lead_id)])
        if details != row.details:
            changed.append({"k_partner": row.partner_id, "k_lead": row.lead_id, "k_version": row.version,
                            "v_details": details})
    store.write_history(conn, changed)
    return len(changed)


def _identifiers(row) -> Identifiers:
    return identifiers_of(email=row.customer_email, first_name=row.customer_first_name,
                          last_name=row.customer_last_name, phone=row.customer_phone)
