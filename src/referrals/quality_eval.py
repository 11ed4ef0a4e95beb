"""A rerunnable evaluation of the quality model on synthetic leads whose true propensity is known.

The leads are spread over six months and split by time: the older part is received, worked and
closed through the domain's own transitions and stored in a scratch SQLite database, the model is
trained from it by the real training service, and the newer part is scored by the real screening
service. We report ranking (AUC), accuracy (Brier score, against always predicting the base rate)
and calibration (a 10-bin table and its expected calibration error), for the trained model and for
the priors alone.
"""

import random
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from referrals.domain import lead as lead_rules
from referrals.domain.deal import DealTerms, Money
from referrals.domain.enums import Outcome, QualityLabel
from referrals.domain.history import Actor
from referrals.domain.quality import PRIOR, priors
from referrals.domain.quality_metrics import (
    CalibrationBin,
    auc,
    brier,
    calibration_table,
    expected_calibration_error,
)
from referrals.domain.quality_report import Evaluation, checks, evaluation
from referrals.services.quality import load_examples, train
from referrals.services.screening import ScreeningContext, invalidate, screen, screen_with
from referrals.store.db import make_engine, reading, writing
from referrals.store.ids import new_id
from referrals.store.leadrows import history_to_row
from referrals.store.leads import insert_leads
from referrals.store.migrate import upgrade
from referrals.store.tables import lead_history, locations, partners
from referrals.synthetic import is_spammy, propensity, sample_lead, sample_outcome, verdicts_for


@dataclass(frozen=True)
class Scores:
    auc: float
    brier: float
    ece: float
    calibration: list[CalibrationBin]


@dataclass(frozen=True)
class EvaluationReport:
    seed: int
    leads: int
    train_examples: int
    test_examples: int
    base_rate: float  # conversions in the test period
    train_rate: float  # conversions in the training period: the base-rate predictor's constant
    base_brier: float  # Brier score of always predicting the training period's conversion rate
    trained: Scores
    prior: Scores  # the priors centred and scaled on the training period (what a program with history starts from)
    prior_default: Scores  # the priors with no history at all (the default rate)
    report: Evaluation  # the same figures as an evaluation on a program's history, High/Low line included
    oracle_auc: float  # the hidden propensity itself: the best any model could rank
    seconds: float


@dataclass(frozen=True)
class _Synthetic:
    at: datetime
    partner_id: str
    origin: object
    customer: object
    message: str
    outcome: Outcome
    reason: object
    propensity: float


def generate(rng: random.Random, *, leads: int, partners: int, now: datetime) -> list[_Synthetic]:
    """Actionable leads over 180 days, for partners of unequal size and skill, with sampled outcomes."""
    ids = [f"eval-partner-{k:03d}" for k in range(partners)]
    skill = {pid: rng.gauss(0.0, 0.5) for pid in ids}
    sizes = [1.0 / (k + 1) for k in range(partners)]
    start = now - timedelta(days=180)
    stamps = sorted(start + timedelta(seconds=rng.uniform(0, 180 * 86400)) for _ in range(leads))
    out = []
    for at in stamps:
        pid = rng.choices(ids, weights=sizes)[0]
        origin, customer, message = sample_lead(rng, at, actionable_only=True)
        verdicts = verdicts_for(customer)
        p = propensity(origin, customer, message, verdicts, partner_skill=skill[pid])
        outcome, reason = sample_outcome(rng, p, spammy=is_spammy(customer, message, verdicts))
        out.append(_Synthetic(at, pid, origin, customer, message, outcome, reason, p))
    return out


def _worked(conn, item: _Synthetic):
    """Receive, then accept and close or decline, through the domain's transitions."""
    screening = screen(
        conn, origin=item.origin, customer=item.customer, message=item.message, partner_id=item.partner_id
    )
    lead, received = lead_rules.receive(
        id=new_id(int(item.at.timestamp() * 1000)),
        partner_id=item.partner_id,
        location_id=item.partner_id,
        origin=item.origin,
        customer=item.customer,
        message=item.message,
        customer_requested_contact=True,
        now=item.at,
        screening=screening,
    )
    by = Actor("eval-user", "evaluator@example.org")
    later = item.at + timedelta(days=1)
    if item.outcome is Outcome.DECLINED:
        entries = [lead.decline(item.reason, "synthetic outcome", by=by, now=later)]
    else:
        terms = DealTerms(
            "Synthetic deal", Money(Decimal("1000.00"), "EUR"), ("eval-user",), date(2030, 1, 1), "synthetic"
        )
        entries = [
            lead.accept(terms, by=by, now=later),
            lead.close(item.outcome, item.reason, "synthetic outcome", by=by, now=later + timedelta(days=7)),
        ]
    return lead, received, entries


def _store_history(engine, items: list[_Synthetic], now: datetime) -> None:
    with writing(engine) as conn:
        for pid in sorted({i.partner_id for i in items}):
            conn.execute(insert(partners).values(id=pid, name=pid, created_at=now - timedelta(days=400)))
            conn.execute(
                insert(locations).values(partner_id=pid, id=pid, country="IT", created_at=now - timedelta(days=400))
            )
    for start in range(0, len(items), 2000):
        with writing(engine) as conn:
            worked = [_worked(conn, item) for item in items[start : start + 2000]]
            insert_leads(conn, [(lead, received, None) for lead, received, _ in worked])
            conn.execute(insert(lead_history), [history_to_row(e) for _, _, entries in worked for e in entries])


def _scores(outcomes: list[bool], predictions: list[float]) -> Scores:
    table = calibration_table(outcomes, predictions, bins=10)
    return Scores(auc(outcomes, predictions), brier(outcomes, predictions), expected_calibration_error(table), table)


def evaluate(
    *,
    leads: int = 20_000,
    partners: int = 12,
    seed: int = 2024,
    now: datetime,
    train_share: float = 0.7,
    workdir: Path | None = None,
) -> EvaluationReport:
    started = time.perf_counter()
    items = generate(random.Random(seed), leads=leads, partners=partners, now=now)
    cut = int(len(items) * train_share)
    history, future = items[:cut], items[cut:]
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'evaluation.db'}")
        try:
            upgrade(engine)
            _store_history(engine, history, now)
            invalidate()
            trained = train(engine, now=future[0].at)
            with reading(engine) as conn:
                examples = load_examples(conn)
                screened = [
                    screen(conn, origin=i.origin, customer=i.customer, message=i.message, partner_id=i.partner_id)
                    for i in future
                ]
        finally:
            engine.dispose()
            invalidate()
    predicted = [s.quality.probability for s in screened]
    centred = priors([ex.features for ex in examples], [ex.converted for ex in examples])
    prior_predicted = _priors_only(ScreeningContext(model=centred), future)
    outcomes = [i.outcome is Outcome.WON for i in future]
    train_rate = trained.conversions / max(trained.examples, 1)
    line = trained.model.line
    return EvaluationReport(
        seed=seed,
        leads=leads,
        train_examples=trained.examples,
        test_examples=len(future),
        base_rate=sum(outcomes) / len(outcomes),
        train_rate=train_rate,
        base_brier=brier(outcomes, [train_rate] * len(outcomes)),
        trained=_scores(outcomes, predicted),
        prior=_scores(outcomes, prior_predicted),
        prior_default=_scores(outcomes, _priors_only(ScreeningContext(model=PRIOR), future)),
        report=evaluation(outcomes, predicted, [s.quality.label is QualityLabel.HIGH for s in screened],
                          prior_predicted, train=trained.examples, threshold=line.threshold, line_kind=line.kind),
        oracle_auc=auc(outcomes, [i.propensity for i in future]),
        seconds=time.perf_counter() - started,
    )


def _priors_only(context: ScreeningContext, items: list[_Synthetic]) -> list[float]:
    return [screen_with(context, origin=i.origin, customer=i.customer, message=i.message).quality.probability
            for i in items]


START = "<!-- generator-evaluation: written by `referrals quality evaluate` -->"
END = "<!-- generator-evaluation: end -->"


def write_section(docs: Path, markdown: str) -> None:
    """Replace the generator's section of the docs (between START and END), leaving the rest as written."""
    section = f"{START}\n{markdown.rstrip()}\n{END}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + section + "\n"
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(text, encoding="utf-8")


def generator_json(report: EvaluationReport) -> dict:
    t = report.trained
    return {"data": "synthetic generator", "auc": t.auc, "brier": t.brier, "base_brier": report.base_brier,
            "ece": t.ece, "prior_auc": report.prior.auc, "prior_ece": report.prior.ece,
            "prior_default_ece": report.prior_default.ece, "oracle_auc": report.oracle_auc,
            "report": report.report.to_json(), "calibration": [vars(b) for b in t.calibration]}


def report_markdown(report: EvaluationReport, *, when: datetime) -> str:
    t, p, d, e = report.trained, report.prior, report.prior_default, report.report
    lines = [
        "## Second result: on our synthetic generator",
        "",
        "Not the headline: the generator is written by the same hands as the priors. Synthetic leads with a hidden",
        "conversion propensity (`referrals.synthetic`) are split by time: the older "
        f"{report.train_examples:,} are received, worked and closed",
        "through the domain's transitions, the model is trained from them by the real training service, and the",
        f"newer {report.test_examples:,} are scored by the real screening service.",
        "",
        f"- run: {when:%Y-%m-%d %H:%M} UTC, seed {report.seed}, {report.leads:,} leads, {report.seconds:.1f} s",
        f"- conversion rate in the test period: {report.base_rate:.3f}",
        "",
        "| model | AUC | Brier | ECE (10 bins) |",
        "|---|---|---|---|",
        f"| trained | {t.auc:.3f} | {t.brier:.4f} | {t.ece:.3f} |",
        f"| priors only, centred on the training period | {p.auc:.3f} | {p.brier:.4f} | {p.ece:.3f} |",
        f"| priors only, no history (default rate) | {d.auc:.3f} | {d.brier:.4f} | {d.ece:.3f} |",
        f"| base rate (always {report.train_rate:.3f}) | 0.500 | {report.base_brier:.4f} | - |",
        f"| hidden propensity (best possible) | {report.oracle_auc:.3f} | - | - |",
        "",
        f"Lift of the top 20%: {e.lift_top20:.2f}. High/Low line {e.threshold:.3f} ({e.line_kind}): "
        f"{e.high_share:.0%} of the test leads High,",
        f"converting {e.high_rate or 0:.3f} against {e.low_rate or 0:.3f} for Low.",
        "",
        *(f"- {line}" for line in checks(e)),
        "",
        "Calibration of the trained model on the test period:",
        "",
        "| predicted | leads | mean predicted | converted |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {b.low:.1f}–{b.high:.1f} | {b.count:,} | {b.predicted:.3f} | {b.observed:.3f} |" for b in t.calibration
    ]
    lines += [
        "",
        "Acceptance: trained AUC ≥ 0.86 and ECE ≤ 0.03, priors-only ECE ≤ 0.05, High share 10-60% and High "
        "≥ 1.5x Low (asserted on a smaller run by `tests/integration/test_screening.py`).",
        "",
    ]
    return "\n".join(lines)
