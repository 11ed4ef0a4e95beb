"""The Referrals-API-compatible endpoint's use cases: list referrals with an OData query, read one, and apply a JSON
Patch. A referral is a lead of the caller's partner (program staff have no partner to read here: 403, as the
lead reads of /api/v1 answer them). Every change goes through the lifecycle services (services/lifecycle.py), so
the lead's own guards, history, emails and optimistic concurrency apply unchanged."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from referrals.domain import odata, referral_compat, referral_patch
from referrals.domain.access import Principal
from referrals.domain.deal import DealTerms, Money
from referrals.domain.lead import Lead
from referrals.domain.referral_compat import Member
from referrals.domain.referral_patch import Accept, Close, Decline, Edit, Patch
from referrals.services import lifecycle
from referrals.store import people
from referrals.store import referrals_compat as store
from referrals.store.db import reading
from referrals.store.leads import load_lead


@dataclass(frozen=True)
class ReferralPage:
    value: list[dict[str, Any]]
    count: int | None
    skiptoken: str | None


def read_query(params: list[tuple[str, str]]) -> odata.Query:
    return odata.parse_query(params, referral_compat.FILTERABLE, referral_compat.ORDERABLE,
                             referral_compat.SELECTABLE)


def list_referrals(engine: Engine, principal: Principal, query: odata.Query) -> ReferralPage:
    partner_id = principal.partner_scope()
    after = None if query.skiptoken is None else store.decode_token(query.skiptoken, query.order)
    with reading(engine) as conn:
        found, last = store.page(conn, partner_id, query.filter, query.order, query.top, after)
        total = store.count(conn, partner_id, query.filter) if query.count else None
        teams = _teams(conn, found)
    value = [referral_compat.selected(referral_compat.referral(lead, teams[lead.id]), query.select) for lead in found]
    return ReferralPage(value, total, None if last is None else store.encode_token(query.order, last))


def get_referral(engine: Engine, principal: Principal, referral_id: str) -> dict[str, Any]:
    partner_id = principal.partner_scope()
    with reading(engine) as conn:
        lead = load_lead(conn, partner_id, referral_id)
        return referral_compat.referral(lead, _teams(conn, [lead])[lead.id])


def _teams(conn, found: list[Lead]) -> dict[str, list[Member]]:
    """Each lead's deal team as referrals name it, the users looked up once for the page."""
    ids = {lead.id: lead.deal.terms.team_member_ids if lead.deal else () for lead in found}
    named = people.owners(conn, (user_id for team in ids.values() for user_id in team))
    return {lead_id: [Member(named[u].email, named[u].name) for u in team if u in named]
            for lead_id, team in ids.items()}


def patch_referral(engine: Engine, principal: Principal, referral_id: str, body: Any, *, now: datetime,
                   if_match: str | None) -> dict[str, Any]:
    """Apply the patch as the one action it asks for; answer the referral as it is afterwards."""
    patch = referral_patch.read_patch(body)
    current = get_referral(engine, principal, referral_id)
    plan = referral_patch.plan(current, patch)
    team = _team_ids(engine, principal, patch)
    if isinstance(plan, Accept):
        terms = DealTerms(plan.name, Money(plan.amount, plan.currency), team or (principal.user_id,),
                          plan.purchase_date, plan.notes)
        lifecycle.accept_lead(engine, principal, referral_id, terms, now=now, if_match=if_match)
    elif isinstance(plan, Decline):
        lifecycle.decline_lead(engine, principal, referral_id, plan.reason, plan.notes, now=now, if_match=if_match)
    elif isinstance(plan, Close):
        lifecycle.close_lead(engine, principal, referral_id, plan.outcome, plan.reason, plan.notes, now=now,
                             if_match=if_match)
    elif plan.changes or team or current["status"] != "Active":  # nothing to change on an open deal: nothing done
        _edit(engine, principal, referral_id, plan, team, now=now, if_match=if_match)
    return get_referral(engine, principal, referral_id)


def _edit(engine: Engine, principal: Principal, referral_id: str, plan: Edit, team: tuple[str, ...], *,
          now: datetime, if_match: str | None) -> None:
    changes = dict(plan.changes)
    if team:
        with reading(engine) as conn:
            lead = load_lead(conn, principal.partner_scope(acting=True), referral_id)
        current = lead.deal.terms.team_member_ids if lead.deal else ()
        changes["team_member_ids"] = tuple(dict.fromkeys((*current, *team)))
    lifecycle.edit_deal(engine, principal, referral_id, changes, now=now, if_match=if_match)


def _team_ids(engine: Engine, principal: Principal, patch: Patch) -> tuple[str, ...]:
    if not patch.team:
        return ()
    with reading(engine) as conn:
        found = store.active_users_by_email(conn, principal.partner_scope(acting=True),
                                            [member.email for member in patch.team])
    return referral_patch.team_ids(patch.team, found)
