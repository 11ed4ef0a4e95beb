"""`referrals quality evaluate --db`: the model measured on a program's own closed history, as an operator runs it,
on both databases; it prints the report and changes nothing in the database."""

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from referrals.quality_eval import _store_history, generate
from referrals.store.db import reading
from referrals.store.tables import metadata

REFERRALS = str(Path(sys.executable).with_name("referrals"))
NOW = datetime(2026, 6, 1, tzinfo=UTC)
KEYS = ["train", "test", "base_rate", "auc", "brier", "ece", "lift_top20", "high_share", "high_rate", "low_rate",
        "priors_only"]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERRALS_QUALITY")}
    return subprocess.run([REFERRALS, "quality", "evaluate", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def snapshot(engine: Engine) -> dict[str, list]:
    with reading(engine) as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)).all())) for t in metadata.sorted_tables}


@pytest.fixture
def history(engine: Engine) -> Engine:
    _store_history(engine, generate(random.Random(19), leads=1000, partners=4, now=NOW), NOW)
    return engine


def test_evaluating_on_the_history_prints_the_report_and_changes_nothing(history):
    before = snapshot(history)
    assert sum(map(len, before.values())) > 1000

    as_json = cli("--db", url_of(history), "--json")
    text = cli("--db", url_of(history), "--test-fraction", "0.25")

    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert list(report) == KEYS and list(report["priors_only"]) == ["auc", "brier", "ece"]
    assert report["train"] == 800 and report["test"] == 200
    assert report["auc"] > 0.75 and report["auc"] > 0.5 + (report["priors_only"]["auc"] - 0.5) * 0.8
    assert 0.10 <= report["high_share"] <= 0.60 and report["high_rate"] >= 1.5 * report["low_rate"]
    assert report["lift_top20"] > 1.5
    assert text.returncode == 0, text.stderr
    assert "tested on the newest 250" in text.stdout and "nothing in the database was changed" in text.stdout
    assert "High converts" in text.stdout and "as promised" in text.stdout and "High share" in text.stdout
    assert snapshot(history) == before  # not a row added, changed or removed: no model, no evaluation stored


def test_since_and_bad_input_are_answered_in_one_line(history):
    late = cli("--db", url_of(history), "--since", "2026-05-28", "--json")
    assert late.returncode == 2 and "not enough closed history to evaluate" in late.stderr
    assert "since 2026-05-28" in late.stderr
    assert json.loads(cli("--db", url_of(history), "--since", "2026-01-01", "--json").stdout)["train"] > 100
    bad_date = cli("--db", url_of(history), "--since", "last week")
    assert bad_date.returncode == 2 and "is not a date like 2026-01-31" in bad_date.stderr
    bad_fraction = cli("--db", url_of(history), "--test-fraction", "0.9")
    assert bad_fraction.returncode == 2 and "between 0.05 and 0.5" in bad_fraction.stderr
