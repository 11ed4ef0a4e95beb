"""The lead-list filter options of the CLI, made from the one filter declaration (domain/listing.py: FILTERS): a
command that takes `lead_filter: LeadFilter` gets `--tab` and one option per declared filter, spelt as in the
API with dashes (`--call-to-action`, `--email-validity`, `--spam/--no-spam`, `--q`). Values are judged by the
domain's strict parser, so a bad one is one line naming the option, and exit code 2."""

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from referrals.cli.common import run
from referrals.domain.listing import FILTERS, FilterKind, LeadFilter, Tab, parse_filter


def _option(declared) -> tuple[Any, Any]:
    """(annotation, default) of one declared filter's option."""
    about = f"{declared.meaning.rstrip('.')}. Values: {declared.allowed()}."
    flag = "--" + declared.name.replace("_", "-")
    if declared.kind is FilterKind.FLAG:
        return Annotated[bool | None, typer.Option(f"{flag}/--no-{declared.name}", help=declared.meaning)], None
    if declared.kind.repeatable:
        shown = "|".join(v.value for v in declared.choices) if declared.choices else "CODE"
        return Annotated[list[str] | None, typer.Option(flag, help=about + " Repeat for several.",
                                                        metavar=shown)], None
    return Annotated[str, typer.Option(flag, help=about, metavar="TEXT")], ""


def _words(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def to_filter(tab: Tab | None, values: dict[str, Any]) -> LeadFilter:
    """The options' values → the domain's filter (strict: a bad value raises InvalidInput naming it)."""
    parsed = parse_filter({name: _words(value) for name, value in values.items()})
    return LeadFilter(**{**parsed.__dict__, "tab": tab})


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command` with its `lead_filter` parameter replaced by the filter options."""
    base = inspect.signature(command)
    kept = [p for p in base.parameters.values() if p.name != "lead_filter"]
    added = [inspect.Parameter("tab", inspect.Parameter.KEYWORD_ONLY, default=None,
                               annotation=Annotated[Tab | None, typer.Option(help="The tab; all leads if omitted.")])]
    for declared in FILTERS:
        annotation, default = _option(declared)
        added.append(inspect.Parameter(declared.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                       annotation=annotation))

    def with_filter(**options: Any) -> Any:
        tab = options.pop("tab")
        values = {declared.name: options.pop(declared.name) for declared in FILTERS}
        return command(**options, lead_filter=run(lambda: to_filter(tab, values)))

    with_filter.__name__, with_filter.__doc__ = command.__name__, command.__doc__
    with_filter.__signature__ = base.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept] + added)
    with_filter.__annotations__ = {p.name: p.annotation for p in kept + added}
    return with_filter
