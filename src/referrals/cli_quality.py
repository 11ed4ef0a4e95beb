"""Operator commands for lead quality (`referrals quality ...`) and the spam block list
(`referrals blocklist ...`). Bad input gets a one-line error and a non-zero exit, never a traceback."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from referrals.domain.errors import DomainError
from referrals.store.db import DEFAULT_URL, make_engine

quality_app = typer.Typer(help="Lead quality: train and evaluate the conversion model.", no_args_is_help=True)
blocklist_app = typer.Typer(help="The program's spam block list (addresses and domains).", no_args_is_help=True)

err = Console(stderr=True)
Db = Annotated[str, typer.Option("--db", envvar="REFERRALS_DATABASE_URL", help="Database URL.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
DOCS = Path("docs/quality.md")


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _engine(db: str):
    try:
        return make_engine(db)
    except Exception as error:  # a malformed URL or a missing driver: one line, not a traceback
        _fail(f"cannot open database {db!r}: {error}")


def _now() -> datetime:
    return datetime.now(UTC)


@quality_app.command("train")
def quality_train(db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """Learn from the outcomes partners reported and put the new model in use."""
    from referrals.services.quality import train

    try:
        result = train(_engine(db), now=_now())
    except SQLAlchemyError as error:
        _fail(f"cannot train: {str(error).splitlines()[0]} (is the database migrated?)")
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

    now = _now()
    report = evaluate(leads=leads, seed=seed, now=now)
    markdown = report_markdown(report, when=now)
    if write_docs:
        try:
            docs.parent.mkdir(parents=True, exist_ok=True)
            docs.write_text(markdown, encoding="utf-8")
        except OSError as error:
            _fail(f"cannot write {docs}: {error.strerror}")
    if as_json:
        t = report.trained
        typer.echo(json.dumps({"auc": t.auc, "brier": t.brier, "base_brier": report.base_brier, "ece": t.ece,
                               "prior_auc": report.prior.auc, "oracle_auc": report.oracle_auc,
                               "calibration": [vars(b) for b in t.calibration]}))
    else:
        typer.echo(markdown)


@blocklist_app.command("add")
def blocklist_add(
    entry: Annotated[str, typer.Argument(help="An address (a@example.com) or a domain (example.com).")],
    reason: Annotated[str, typer.Option("--reason", help="Why, shown with the spam flag.")] = "",
    db: Db = DEFAULT_URL,
) -> None:
    """Block an address or a domain: leads from it arrive flagged as spam."""
    from referrals.services.blocklist import add_entry

    try:
        added = add_entry(_engine(db), entry, reason=reason, now=_now())
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"cannot reach the block list: {str(error).splitlines()[0]}")
    typer.echo(f"blocked {added.entry}" + (f" ({added.reason})" if added.reason else ""))


@blocklist_app.command("list")
def blocklist_list(db: Db = DEFAULT_URL, as_json: AsJson = False) -> None:
    """Every blocked address and domain."""
    from referrals.services.blocklist import list_entries

    try:
        entries = list_entries(_engine(db))
    except SQLAlchemyError as error:
        _fail(f"cannot reach the block list: {str(error).splitlines()[0]}")
    if as_json:
        typer.echo(json.dumps([{"entry": e.entry, "reason": e.reason, "created_at": e.created_at.isoformat()}
                               for e in entries]))
        return
    for e in entries:
        typer.echo(f"{e.entry}\t{e.created_at:%Y-%m-%d}\t{e.reason}")


@blocklist_app.command("remove")
def blocklist_remove(entry: Annotated[str, typer.Argument(help="The address or domain to unblock.")],
                     db: Db = DEFAULT_URL) -> None:
    """Unblock an address or a domain (leads already received keep their flags)."""
    from referrals.services.blocklist import remove_entry

    try:
        remove_entry(_engine(db), entry)
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"cannot reach the block list: {str(error).splitlines()[0]}")
    typer.echo(f"unblocked {entry.strip().lower()}")
