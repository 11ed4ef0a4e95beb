"""The quality model's storage: the trained models (the newest is the one in use) and the labelled leads
they are trained on."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Result, delete, func, insert, select

from referrals.store.tables import leads, quality_evaluations, quality_models

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
    leads.c.created_at,
]


def training_rows(
    conn: Connection, outcomes: Iterable[str], *, limit: int, before: datetime | None = None,
    since: datetime | None = None,
) -> Result:
    """The most recent non-test leads that ended in one of `outcomes`, newest first (across all partners:
    the model is the program's)."""
    query = select(*_TRAINING_COLUMNS).where(leads.c.outcome.in_(outcomes), leads.c.is_test.is_(False))
    if before is not None:
        query = query.where(leads.c.created_at < before)
    if since is not None:
        query = query.where(leads.c.created_at >= since)
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



def recent_probabilities(conn: Connection, *, limit: int) -> list[float]:
    """The chances given to the newest non-test leads (the line's reference while there is no history)."""
    query = (select(leads.c.quality_probability).where(leads.c.is_test.is_(False))
             .order_by(leads.c.created_at.desc()).limit(limit))
    return [float(p) for p in conn.execute(query).scalars()]


def save_evaluation(conn: Connection, *, evaluated_at: datetime, trigger: str, kept_previous: bool,
                    report: dict[str, Any], keep: int) -> None:
    """Store an evaluation made by a retraining (scheduled or asked for on the program page); keep the newest."""
    conn.execute(insert(quality_evaluations).values(evaluated_at=evaluated_at, trigger=trigger,
                                                    kept_previous=kept_previous, report=report))
    newest = select(quality_evaluations.c.id).order_by(quality_evaluations.c.id.desc()).limit(keep).scalar_subquery()
    conn.execute(delete(quality_evaluations).where(quality_evaluations.c.id.not_in(newest)))


def last_evaluation(conn: Connection) -> Any | None:
    return conn.execute(
        select(quality_evaluations).order_by(quality_evaluations.c.id.desc()).limit(1)
    ).first()


def newest_model(conn: Connection) -> Any | None:
    """The model in use as stored (id, trained_at, examples, params); None when nothing was ever trained."""
    return conn.execute(
        select(quality_models).order_by(quality_models.c.trained_at.desc(), quality_models.c.id.desc()).limit(1)
    ).first()
