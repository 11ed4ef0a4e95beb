"""One bulk action on one lead, as the single action does it, split where the bulk path needs it: `prepare` runs the
domain's guard on a lead already loaded (with its chunk) and answers the write, which runs in that lead's own
transaction, together with the job's record of the result.

The pieces are the single actions' own. Decline is `Lead.decline`, the version-checked save and
`notifications.on_transition` (the customer's email), as `lifecycle.decline_lead`; assign is `Lead.assign`, the
same save (which also asks, in its UPDATE, that the owner be an active user of the partner: `ownership.assign_lead`'s
check) and the "assigned to you" email, as `ownership.assign_lead`; hearts are
`favorites.heart` / `unheart`, as `reading.set_favorite`. The save is `store.bulk.save_changes`: `save_transition`'s
UPDATE and history row, the statement built once and writing only the columns that changed (docs/performance.md).
tests/integration/test_bulk_actions.py holds a bulk action and the single one to the same row, history and outbox.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine

from referrals.domain.access import Principal
from referrals.domain.bulk import BulkAction, BulkParams
from referrals.domain.errors import DomainError, Forbidden, NotFound
from referrals.domain.history import HistoryEntry
from referrals.domain.lead import Lead
from referrals.services import notifications
from referrals.store import favorites
from referrals.store.bulk import load_leads, save_changes, writer
from referrals.store.db import reading
from referrals.store.leadrows import lifecycle_columns

Write = Callable[[Connection], None]
Prepare = Callable[[Lead], Write]
# Inside a lead's write transaction: claim its result (False: already processed, by another run) and record it.
Claim = Callable[[Connection, int, dict | None], bool]


def problem_of(error: DomainError) -> dict:
    """A per-lead failure as stored and answered: the single action's error code, message and fields."""
    return {"code": error.code, "detail": error.message, "fields": dict(error.fields)}


def _transition(lead: Lead, transition: Callable[[Lead], HistoryEntry], *, owner_active: bool = False) -> Write:
    before = lifecycle_columns(lead)
    entry = transition(lead)  # the domain's guard: raises before anything is written

    def write(conn: Connection) -> None:
        save_changes(conn, before, lead, entry, owner_active=owner_active)  # assign: the owner must be active
        notifications.on_transition(conn, lead, entry)

    return write


def prepare_for(action: BulkAction, principal: Principal | None, params: BulkParams, now: datetime) -> Prepare:
    """The per-lead step of an action for this user (None: the job's user is gone, and every lead is refused)."""
    if principal is None:
        return _refuse(Forbidden("The user who started this bulk action can no longer act on leads."))
    try:
        principal.partner_scope(acting=action.acting)
    except Forbidden as error:
        return _refuse(error)
    by, user_id = principal.actor, principal.user_id
    if action is BulkAction.DECLINE:
        reason, notes = params.reason, params.notes
        return lambda lead: _transition(lead, lambda it: it.decline(reason, notes, by=by, now=now))  # type: ignore[arg-type]
    if action is BulkAction.ASSIGN:
        owner = params.user_id or ""
        return lambda lead: _transition(lead, lambda it: it.assign(owner, by=by, now=now), owner_active=True)
    if action is BulkAction.UNASSIGN:
        return lambda lead: _transition(lead, lambda it: it.assign(None, by=by, now=now))
    if action is BulkAction.FAVORITE:
        return lambda lead: lambda conn: favorites.heart(conn, lead.partner_id, user_id, lead.id, now)
    return lambda lead: lambda conn: favorites.unheart(conn, lead.partner_id, user_id, lead.id)


def _refuse(error: DomainError) -> Prepare:
    def prepare(_lead: Lead) -> Write:
        raise error

    return prepare


def apply(engine: Engine, partner_id: str, items: Sequence[tuple[int, str]], prepare: Prepare,
          claim: Claim) -> Iterator[tuple[int, str, dict | None]]:
    """Act on each (position, lead id), loading the leads in one read and writing each in its own transaction; one
    lead's failure is its result and never stops the others. Yields each result this run recorded, once committed."""
    with reading(engine) as conn:
        found = load_leads(conn, partner_id, [lead_id for _, lead_id in items])
    with writer(engine) as conn:
        for position, lead_id in items:
            try:
                lead = found.get(lead_id)
                if lead is None:
                    raise NotFound("No such lead.")  # unknown, or another partner's: the single action's 404
                write = prepare(lead)
                with conn.begin():
                    if not claim(conn, position, None):
                        continue
                    write(conn)
                yield position, lead_id, None
            except DomainError as error:
                problem = problem_of(error)
                with conn.begin():
                    if not claim(conn, position, problem):
                        continue
                yield position, lead_id, problem
