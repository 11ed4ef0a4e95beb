"""Training the lead-quality model from the outcomes partners report, on demand or on a schedule.

Won is success; lost and declined are failures; a lead declined as spam counts SPAM_WEIGHT times, as
strong evidence. Only what was known at arrival is used: the lead's origin, customer record, message
and the contact verdicts stored with it. Test leads are left out.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from referrals.domain.enums import (
    CallToAction,
    EmailValidity,
    LeadType,
    Outcome,
    PhoneValidity,
    Qualification,
    Reason,
    Source,
)
from referrals.domain.lead import Customer, Origin
from referrals.domain.quality import Example, QualityModel, fit
from referrals.domain.quality_features import LeadFacts, features
from referrals.services.screening import invalidate, load_model
from referrals.store import quality as store
from referrals.store.db import reading, writing

MAX_EXAMPLES = 200_000  # the most recent outcomes; older behaviour matters less and memory stays bounded
SPAM_WEIGHT = 3.0
KEEP_MODELS = 20
RETRAIN_AFTER = timedelta(hours=24)
LABELLED = (Outcome.WON.value, Outcome.LOST.value, Outcome.DECLINED.value)


@dataclass(frozen=True)
class TrainingResult:
    model_id: int | None  # None when there was nothing to learn from (the priors stay in use)
    examples: int
    conversions: int
    trained_at: datetime
    model: QualityModel


def _opt(enum, value):
    return None if value is None else enum(value)


def example_from_row(row) -> Example:
    origin = Origin(
        Qualification(row.qualification),
        Source(row.source),
        _opt(LeadType, row.type),
        _opt(CallToAction, row.call_to_action),
    )
    customer = Customer(
        row.customer_company,
        row.customer_first_name,
        row.customer_last_name,
        row.customer_title,
        row.customer_email,
        row.customer_phone,
        row.customer_country,
        row.customer_company_size,
        row.customer_industry,
    )
    facts = LeadFacts(
        origin,
        customer,
        row.message or "",
        EmailValidity(row.email_validity),
        PhoneValidity(row.phone_validity),
        bool(row.spam),
    )
    declined_as_spam = row.outcome == Outcome.DECLINED.value and row.closing_reason == Reason.SPAM.value
    return Example(
        features(facts), row.outcome == Outcome.WON.value, SPAM_WEIGHT if declined_as_spam else 1.0, row.partner_id
    )


def load_examples(conn: Connection, *, limit: int = MAX_EXAMPLES, before: datetime | None = None) -> list[Example]:
    return [example_from_row(row) for row in store.training_rows(conn, LABELLED, limit=limit, before=before)]


def train(
    engine: Engine, *, now: datetime, limit: int = MAX_EXAMPLES, before: datetime | None = None
) -> TrainingResult:
    """Fit on the reported outcomes and make the new model the one in use."""
    with reading(engine) as conn:
        examples = load_examples(conn, limit=limit, before=before)
    conversions = sum(ex.converted for ex in examples)
    model = fit(examples)
    if not examples:
        return TrainingResult(None, 0, 0, now, model)
    with writing(engine) as conn:
        model_id = store.save_model(
            conn, trained_at=now, examples=len(examples), params=model.to_params(), keep=KEEP_MODELS
        )
    invalidate()
    return TrainingResult(model_id, len(examples), conversions, now, model)


def train_if_due(engine: Engine, *, now: datetime, every: timedelta = RETRAIN_AFTER) -> TrainingResult | None:
    """The scheduled job: retrain when the model in use is older than `every` (or there is none)."""
    with reading(engine) as conn:
        last = store.last_trained_at(conn)
    if last is not None and now - last < every:
        return None
    return train(engine, now=now)


def current_model(engine: Engine) -> QualityModel:
    with reading(engine) as conn:
        return load_model(conn)
