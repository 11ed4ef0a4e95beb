"""`referrals quality ...`: train the lead quality model on reported outcomes, and evaluate it on synthetic
leads whose ground truth is known."""

import json
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
    leads: Annotated[int, typer.Option("--leads", min=1000, max=1_000_000, help="Synthetic leads.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the data set.")] = 2024,
    write_docs: Annotated[bool, typer.Option("--write-docs/--no-write-docs", help="Write the report.")] = True,
    docs: Annotated[Path, typer.Option("--docs", help="Where the report goes.")] = DOCS,
    as_json: AsJson = False,
) -> None:
    """Train and test on a synthetic data set with a known ground truth, split by time; print AUC, Brier
    score and a calibration table (and keep the report in docs/quality.md)."""
    from referrals.quality_eval import evaluate, report_markdown

    now = now_utc()
    report = evaluate(leads=leads, seed=seed, now=now)
    markdown = report_markdown(report, when=now)
    if write_docs:
        try:
            docs.parent.mkdir(parents=True, exist_ok=True)
            docs.write_text(markdown, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {docs}: {error.strerror}")
    t = report.trained
    emit({"auc": t.auc, "brier": t.brier, "base_brier": report.base_brier, "ece": t.ece,
          "prior_auc": report.prior.auc, "oracle_auc": report.oracle_auc,
          "calibration": [vars(b) for b in t.calibration]}, as_json, markdown)
