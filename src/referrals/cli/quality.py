"""`referrals quality ...`: train the lead quality model on reported outcomes, and evaluate it on synthetic
leads whose ground truth is known."""

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from referrals.cli.common import AsJson, Db, emit, engine_for, fail, now_utc, run
from referrals.store.db import DEFAULT_URL

quality_app = typer.Typer(help="Lead quality: train and evaluate the conversion model.", no_args_is_help=True)

DOCS = Path("docs/quality.md")


@quality_app.command("train")
def quality_train(db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """Learn from the outcomes partners reported and put the new model in use."""
    from referrals.services.quality import train

    engine = engine_for(db)
    result = run(lambda: train(engine, now=now_utc()), database_error="cannot train: {} (is the database migrated?)")
    data = {"model_id": result.model_id, "examples": result.examples, "conversions": result.conversions,
            "partners": len(result.model.partners), "trained_at": result.trained_at.isoformat()}
    if as_json:
        typer.echo(json.dumps(data))
    elif result.model_id is None:
        typer.echo("no reported outcomes yet: the priors stay in use")
    else:
        typer.echo(f"model {result.model_id} trained on {result.examples:,} outcomes "
                   f"({result.conversions:,} won, {len(result.model.partners)} partner adjustments)")


@quality_app.command("evaluate")
def quality_evaluate(
    db: Annotated[str | None, typer.Option("--db", help="Evaluate on this database's closed leads (reads only).")]
    = None,
    since: Annotated[str | None, typer.Option("--since", help="Only leads received on or after this date "
                                              "(YYYY-MM-DD).")] = None,
    test_fraction: Annotated[float, typer.Option("--test-fraction", help="The newest share of the closed leads "
                                                 "kept for testing.")] = 0.2,
    leads: Annotated[int, typer.Option("--leads", min=1000, max=1_000_000, help="Synthetic leads (no --db).")]
    = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the synthetic data set (no --db).")] = 2024,
    write_docs: Annotated[bool, typer.Option("--write-docs/--no-write-docs", help="Write the generator's "
                                             "section of the docs (no --db).")] = True,
    docs: Annotated[Path, typer.Option("--docs", help="Where the generator's report goes.")] = DOCS,
    as_json: AsJson = False,
) -> None:
    """With --db: train on the program's older closed leads and test on the newest, changing nothing in the
    database; print AUC, Brier, ECE, the lift of the top 20% and the High/Low line's results, against the base
    rate and the priors alone. Without --db: the same on the built-in synthetic generator (a second, labelled
    result; its section of docs/quality.md is rewritten)."""
    if db is not None:
        _evaluate_history(db, since, test_fraction, as_json)
        return
    from referrals.quality_eval import evaluate, generator_json, report_markdown, write_section

    now = now_utc()
    report = evaluate(leads=leads, seed=seed, now=now)
    markdown = report_markdown(report, when=now)
    if write_docs:
        try:
            write_section(docs, markdown)
        except OSError as error:
            fail(f"cannot write {docs}: {error.strerror}")
    emit(generator_json(report), as_json, markdown)


def _evaluate_history(db: str, since: str | None, test_fraction: float, as_json: bool) -> None:
    from referrals.cli.quality_report import history_text
    from referrals.services.quality_history import evaluate_history

    start = None
    if since:
        try:
            start = datetime.combine(date.fromisoformat(since), time(0), tzinfo=UTC)
        except ValueError:
            fail(f"--since {since!r} is not a date like 2026-01-31")
    engine = engine_for(db)
    report = run(lambda: evaluate_history(engine, since=start, test_fraction=test_fraction),
                 database_error="cannot read the history: {} (is the database migrated?)")
    emit(report.to_json(), as_json, history_text(report, since=since))
