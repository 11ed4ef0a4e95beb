"""Retraining (weekly, or asked for on the program page) holds out the newest closed leads, keeps the previous model
when the new one does worse on them, stores what it found, and the line it stores with the model is the one new
leads are labelled by."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from referrals.domain.enums import QualityLabel
from referrals.quality_eval import _store_history, generate
from referrals.services.ingest import LeadDraft, ingest_many
from referrals.services.quality import load_examples, train, train_model
from referrals.services.quality_history import quality_status, retrain, retrain_if_due
from referrals.services.screening import invalidate, line_in_use
from referrals.store.db import reading, writing
from referrals.store.quality import newest_model, save_model
from referrals.store.tables import quality_evaluations
from referrals.synthetic import sample_lead
from tests import factories

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def history(engine: Engine) -> Engine:
    _store_history(engine, generate(random.Random(23), leads=800, partners=3, now=NOW), NOW)
    invalidate()
    yield engine
    invalidate()


def evaluations(engine: Engine) -> int:
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(quality_evaluations)).scalar_one()


def test_a_retraining_puts_the_new_model_in_use_with_its_line_and_stores_its_evaluation(history):
    done = retrain(history, now=NOW)

    assert not done.kept_previous and done.result is not None and done.result.examples == 800
    assert done.evaluation.train == 640 and done.evaluation.test == 160
    status = quality_status(history)
    assert status.trained_at == NOW and status.examples == 800
    assert status.line_kind in ("relative", "clamped") and status.threshold == done.result.model.line.threshold
    assert status.last.evaluation == done.evaluation and status.last.trigger == "schedule"
    assert line_in_use(history).threshold == status.threshold

    tenant = factories.add_tenant(history, "Contoso")
    lead = factories.ingest(history, factories.CONTACT_ME, tenant.partner_id)
    quality = lead.screening.quality
    assert (quality.label is QualityLabel.HIGH) == (quality.probability >= status.threshold)  # the stored line


def test_the_previous_model_stays_when_the_new_one_does_worse_on_the_newest_leads(history):
    with reading(history) as conn:
        newest = load_examples(conn)[:160]
    insider = train_model(newest)  # trained on the very leads held out: the candidate cannot beat it there
    with writing(history) as conn:
        kept_id = save_model(conn, trained_at=NOW - timedelta(days=3), examples=160, params=insider.to_params(),
                             keep=20)
    invalidate()

    done = retrain(history, now=NOW, trigger="page")

    assert done.kept_previous and done.result is None
    with reading(history) as conn:
        assert newest_model(conn).id == kept_id
    last = quality_status(history).last
    assert last.kept_previous and last.trigger == "page" and last.previous_brier < last.evaluation.brier
    assert evaluations(history) == 1


def test_the_schedule_retrains_weekly_counting_a_retraining_that_kept_the_previous_model(history):
    assert retrain_if_due(history, now=NOW) is not None
    assert retrain_if_due(history, now=NOW + timedelta(days=6)) is None
    assert retrain_if_due(history, now=NOW + timedelta(days=8)) is not None
    assert evaluations(history) == 2


def test_with_no_closed_leads_the_line_is_the_top_thirty_percent_of_recent_leads(engine):
    tenant = factories.add_tenant(engine, "Contoso")
    rng = random.Random(31)
    drafts = [LeadDraft(tenant.partner_id, *sample_lead(rng, NOW)) for _ in range(150)]
    ingested = ingest_many(engine, drafts, now=NOW)
    invalidate()

    done = train(engine, now=NOW)

    chances = sorted(i.lead.screening.quality.probability for i in ingested if i.lead and not i.lead.is_test)
    assert done.model_id is not None and done.examples == 0 and done.model.line.kind == "top_share"
    high = sum(p >= done.model.line.threshold for p in chances) / len(chances)
    assert 0.25 <= high <= 0.35
    assert line_in_use(engine) == done.model.line
    invalidate()
