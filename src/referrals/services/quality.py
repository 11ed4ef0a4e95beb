"""Training the lead-quality model from the outcomes partners report, on demand or on a schedule.

Won is success; lost and declined are failures; a lead declined as spam counts SPAM_WEIGHT times, as
strong evidence. Only what was known at arrival is used: the lead's origin, customer record, message
and the contact verdicts stored with it. Test leads are left out.
"""

from dataclasses import dataclass, replace
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
from referrals.domain.quality import PRIOR, Example, QualityModel, fit, score
from referrals.domain.quality_features import LeadFacts, features
from referrals.domain.quality_line import HIGH_RATIO, Line, relative_line, top_share_line
from referrals.services.screening import invalidate, load_model
from referrals.store import quality as store
from referrals.store.db import reading, writing

MAX_EXAMPLES = 200_000  # the most recent outcomes; older behaviour matters less and memory stays bounded
SPAM_WEIGHT = 3.0
KEEP_MODELS = 20
RETRAIN_AFTER = timedelta(days=7)
RECENT_SCORES = 2000  # with no history, the line is the top 30% of this many recent leads' chances
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


def load_examples(
    conn: Connection, *, limit: int = MAX_EXAMPLES, before: datetime | None = None, since: datetime | None = None
) -> list[Example]:
    """Newest first."""
    rows = store.training_rows(conn, LABELLED, limit=limit, before=before, since=since)
    return [example_from_row(row) for row in rows]


def line_settings() -> tuple[float | None, float]:
    """(the operator's fixed line or None, the High ratio): REFERRALS_QUALITY_THRESHOLD and _HIGH_RATIO."""
    from referrals.config import get_settings  # settings are read at the edge, once per training

    settings = get_settings()
    return settings.quality_threshold, settings.quality_high_ratio


def train_model(examples: list[Example], *, fixed: float | None = None, ratio: float = HIGH_RATIO) -> QualityModel:
    """What training does with the outcomes, and what an evaluation does with the older ones: fit, then draw the
    High/Low line on the training leads' own chances (relative to their conversion rate) and keep it with the model."""
    model = fit(examples)
    rate = sum(ex.converted for ex in examples) / len(examples)
    if fixed is not None:
        return replace(model, line=Line(fixed, "fixed", rate))
    scores = [score(model, ex.features, ex.partner_id) for ex in examples if "spam" not in ex.features]
    return replace(model, line=relative_line(rate, scores, ratio=ratio))


def train(
    engine: Engine, *, now: datetime, limit: int = MAX_EXAMPLES, before: datetime | None = None
) -> TrainingResult:
    """Fit on the reported outcomes and make the new model the one in use. With no outcomes yet, the priors are
    put in use with a line at the top 30% of recent leads' chances (once there are enough of them)."""
    with reading(engine) as conn:
        examples = load_examples(conn, limit=limit, before=before)
        recent = [] if examples else store.recent_probabilities(conn, limit=RECENT_SCORES)
    fixed, ratio = line_settings()
    if not examples:
        if len(recent) < 100:
            return TrainingResult(None, 0, 0, now, PRIOR)
        line = Line(fixed, "fixed") if fixed is not None else top_share_line(recent, default=PRIOR.line.threshold)
        return _put_in_use(engine, replace(PRIOR, line=line), 0, now)
    return _put_in_use(engine, train_model(examples, fixed=fixed, ratio=ratio), sum(ex.converted for ex in examples),
                       now)


def _put_in_use(engine: Engine, model: QualityModel, conversions: int, now: datetime) -> TrainingResult:
    with writing(engine) as conn:
        model_id = store.save_model(
            conn, trained_at=now, examples=model.examples, params=model.to_params(), keep=KEEP_MODELS
        )
    invalidate()
    return TrainingResult(model_id, model.examples, conversions, now, model)


def train_if_due(engine: Engine, *, now: datetime, every: timedelta = RETRAIN_AFTER) -> TrainingResult | None:
    """Retrain when the model in use is older than `every` (or there is none)."""
    with reading(engine) as conn:
        last = store.last_trained_at(conn)
    if last is not None and now - last < every:
        return None
    return train(engine, now=now)


def current_model(engine: Engine) -> QualityModel:
    with reading(engine) as conn:
        return load_model(conn)
