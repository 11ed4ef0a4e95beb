"""What program admins see behind a partner's responsiveness score: its last 90 days of actionable leads
as the nightly statistics job counted them (services.partner_stats)."""

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.ranking import Responsiveness
from referrals.store.db import reading
from referrals.store.stats import stats_of


def responsiveness_figures(engine: Engine, principal: Principal, partner_ids: list[str]) -> dict[str, Responsiveness]:
    """Program admins only. Partners without statistics yet are left out (the ranking uses its prior)."""
    principal.require(Role.PROGRAM_ADMIN)
    if not partner_ids:
        return {}
    with reading(engine) as conn:
        rows = stats_of(conn, partner_ids)
    return {
        row.partner_id: Responsiveness(
            row.leads, row.answered, row.expired, float(row.median_hours) if row.median_hours is not None else None
        )
        for row in rows
    }
