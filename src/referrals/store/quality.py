"""The quality model's storage: the trained models (the newest is the one in use) and the labelled leads
they are trained on."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Result, delete, func, insert, select

from referrals.store.tables import leads, quality_models

# What was known of a lead at arrival, plus how it ended: nothing learnt later may leak into training.
_TRAINING_COLUMNS = [
    leads.c.partner_id,
    leads.c.qualification,
    leads.c.type,
    leads.c.source,
    leads.c.call_to_action,
    leads.c.customer_company,
    leads.c.customer_first_name,
    leads.c.customer_last_name,
    leads.c.customer_title,
    leads.c.customer_email,
    leads.c.customer_phone,
    leads.c.customer_country,
    leads.c.customer_company_size,
    leads.c.customer_industry,
    leads.c.message,
    leads.c.email_validity,
    leads.c.phone_validity,
    leads.c.spam,
    leads.c.outcome,
    leads.c.closing_reason,
]


def training_rows(
    conn: Connection, outcomes: Iterable[str], *, limit: int, before: datetime | None = None
) -> Result:
    """The most recent non-test leads that ended in one of `outcomes`, newest first (across all partners:
    the model is the program's)."""
    query = select(*_TRAINING_COLUMNS).where(leads.c.outcome.in_(outcomes), leads.c.is_test.is_(False))
    if before is not None:
        query = query.where(leads.c.created_at < before)
    return conn.execute(query.order_by(leads.c.created_at.desc()).limit(limit))


def save_model(conn: Connection, *, trained_at: datetime, examples: int, params: dict[str, Any], keep: int) -> int:
    """Store a model and drop all but the newest `keep`; answers the new model's id."""
    model_id = conn.execute(
        insert(quality_models).values(trained_at=trained_at, examples=examples, params=params)
    ).inserted_primary_key[0]
    newest = select(quality_models.c.id).order_by(quality_models.c.id.desc()).limit(keep).scalar_subquery()
    conn.execute(delete(quality_models).where(quality_models.c.id.not_in(newest)))
    return model_id


def last_trained_at(conn: Connection) -> datetime | None:
    return conn.execute(select(func.max(quality_models.c.trained_at))).scalar()


def newest_params(conn: Connection) -> Any | None:
    """The parameters of the model in use, as stored; None when nothing was ever trained."""
    row = conn.execute(
        select(quality_models.c.params)
        .order_by(quality_models.c.trained_at.desc(), quality_models.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else row.params

