"""The quality model measured on the program's own history, and the retraining that keeps the better model.

`evaluate_history` splits the closed leads by time (train on the older, test on the newer), trains on the older
with the training service's own `train_model` (the fit and the High/Low line), in memory, and scores the newer:
it reads the database and writes nothing, so the model in use and every row stay as they were.

`retrain` (the weekly job, and the program page's button) holds out the newest closed leads the same way: the new
model is put in use only when it does at least as well on them as the model in use (Brier score); otherwise the
previous model stays. Either way the evaluation is stored, and the program's quality page shows the last one.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import InvalidInput
from referrals.domain.quality import Example, QualityModel, priors, score
from referrals.domain.quality_metrics import brier
from referrals.domain.quality_report import Evaluation, evaluation
from referrals.services.quality import (
    RETRAIN_AFTER,
    TrainingResult,
    line_settings,
    load_examples,
    train,
    train_model,
)
from referrals.services.screening import line_of, load_model
from referrals.store import quality as store
from referrals.store.db import reading, writing

MIN_TEST = 20  # fewer held-out leads than this measure nothing
MIN_TRAIN = 50
TOLERANCE = 0.001  # a new model this much worse in Brier score still counts as no worse (noise)
KEEP_EVALUATIONS = 50
TRIGGERS = ("schedule", "page")


@dataclass(frozen=True)
class Retraining:
    evaluation: Evaluation | None  # None when there were too few closed leads to hold any out
    kept_previous: bool
    result: TrainingResult | None  # the new model put in use, None when the previous one was kept


def _split(examples: list[Example], test_fraction: float) -> tuple[list[Example], list[Example]]:
    """`examples` newest first: (the older ones, oldest first; the newest `test_fraction`)."""
    n_test = round(len(examples) * test_fraction)
    return examples[n_test:][::-1], examples[:n_test][::-1]


def _measure(model: QualityModel, train_set: list[Example], test_set: list[Example]) -> Evaluation:
    fixed, _ = line_settings()
    line = line_of(model, fixed)
    predicted = [score(model, ex.features, ex.partner_id) for ex in test_set]
    high = [p >= line.threshold and "spam" not in ex.features for p, ex in zip(predicted, test_set, strict=True)]
    centred = priors([ex.features for ex in train_set], [ex.converted for ex in train_set])
    prior_predicted = [score(centred, ex.features) for ex in test_set]
    return evaluation([ex.converted for ex in test_set], predicted, high, prior_predicted, train=len(train_set),
                      threshold=line.threshold, line_kind=line.kind)


def evaluate_history(engine: Engine, *, since: datetime | None = None, test_fraction: float = 0.2) -> Evaluation:
    """Train on the older closed leads (received on or after `since`), test on the newest `test_fraction`."""
    if not 0.05 <= test_fraction <= 0.5:
        raise InvalidInput(f"the test fraction is between 0.05 and 0.5, not {test_fraction}",
                           fields={"test_fraction": "between 0.05 and 0.5"})
    with reading(engine) as conn:
        examples = load_examples(conn, since=since)
    train_set, test_set = _split(examples, test_fraction)
    outcomes = {ex.converted for ex in test_set}
    if len(train_set) < MIN_TRAIN or len(test_set) < MIN_TEST or len(outcomes) < 2:
        raise InvalidInput(
            f"not enough closed history to evaluate: {len(examples)} closed leads"
            f"{' since ' + since.date().isoformat() if since else ''} ({len(train_set)} to train, {len(test_set)} to "
            f"test, {'both won and lost' if len(outcomes) == 2 else 'not both won and lost'} among the test ones); "
            f"at least {MIN_TRAIN} to train and {MIN_TEST} to test, some won and some not, are needed"
        )
    fixed, ratio = line_settings()
    return _measure(train_model(train_set, fixed=fixed, ratio=ratio), train_set, test_set)


def retrain(engine: Engine, *, now: datetime, trigger: str = "schedule", test_fraction: float = 0.2) -> Retraining:
    """Train a candidate on all but the newest closed leads; put a model trained on all of them in use unless the
    candidate does worse on the newest than the model in use. With too little history, train as before."""
    with reading(engine) as conn:
        examples = load_examples(conn)
        current = load_model(conn)
    train_set, test_set = _split(examples, test_fraction)
    if len(train_set) < MIN_TRAIN or len(test_set) < MIN_TEST or len({ex.converted for ex in test_set}) < 2:
        return Retraining(None, False, train(engine, now=now))
    fixed, ratio = line_settings()
    report = _measure(train_model(train_set, fixed=fixed, ratio=ratio), train_set, test_set)
    outcomes = [ex.converted for ex in test_set]
    previous = brier(outcomes, [score(current, ex.features, ex.partner_id) for ex in test_set])
    kept = not current.is_prior and report.brier > previous + TOLERANCE
    result = None if kept else train(engine, now=now)
    with writing(engine) as conn:
        store.save_evaluation(conn, evaluated_at=now, trigger=trigger if trigger in TRIGGERS else "schedule",
                              kept_previous=kept, report={**report.to_stored(), "previous_brier": previous},
                              keep=KEEP_EVALUATIONS)
    return Retraining(report, kept, result)


def retrain_if_due(engine: Engine, *, now: datetime, every: timedelta = RETRAIN_AFTER) -> Retraining | None:
    """The scheduled job: retrain when neither a model nor a retraining is more recent than `every`."""
    with reading(engine) as conn:
        last_model = store.last_trained_at(conn)
        last_run = store.last_evaluation(conn)
    moments = [m for m in (last_model, last_run.evaluated_at if last_run else None) if m is not None]
    if moments and now - max(moments) < every:
        return None
    return retrain(engine, now=now)


@dataclass(frozen=True)
class StoredEvaluation:
    evaluated_at: datetime
    trigger: str
    kept_previous: bool
    previous_brier: float | None
    evaluation: Evaluation


@dataclass(frozen=True)
class QualityStatus:
    """What the program's quality page and the API show: the model in use, its line, the last evaluation."""

    trained_at: datetime | None
    examples: int
    threshold: float
    line_kind: str
    base_rate: float | None
    last: StoredEvaluation | None


def quality_status(engine: Engine) -> QualityStatus:
    with reading(engine) as conn:
        row = store.newest_model(conn)
        model = load_model(conn)
        stored = store.last_evaluation(conn)
    line = line_of(model, line_settings()[0])
    last = None
    if stored is not None:
        report = dict(stored.report)
        last = StoredEvaluation(stored.evaluated_at, stored.trigger, stored.kept_previous,
                                report.get("previous_brier"), Evaluation.from_stored(report))
    return QualityStatus(row.trained_at if row else None, row.examples if row else 0, line.threshold, line.kind,
                         line.base_rate, last)


def status_for(engine: Engine, principal: Principal) -> QualityStatus:
    """The model and line in use for anyone signed in; the last evaluation for program staff only."""
    status = quality_status(engine)
    return status if principal.is_program_staff else replace(status, last=None)


def retrain_now(engine: Engine, principal: Principal, *, now: datetime) -> Retraining:
    """Program admins: retrain at once (the quality page's button, when no job queue runs it)."""
    principal.require(Role.PROGRAM_ADMIN)
    return retrain(engine, now=now, trigger="page")
