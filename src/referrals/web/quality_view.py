"""A lead's quality as the pages show it: "High · 61%", a look (good, poor, or neutral when the probability is
too close to the threshold to mean much), and the main factors in the reader's language with their effect."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from referrals.domain.quality import borderline
from referrals.domain.quality_words import Factor, read_factor
from referrals.web import labels
from referrals.web.labels import N_

# The factor with the way it moves the chance, as a badge's tooltip says it (a list page says 150 of them: built
# here rather than by a template macro a factor).
SIGNED = {"raises": N_("raises the chance: %(factor)s"), "lowers": N_("lowers the chance: %(factor)s")}


@dataclass(frozen=True)
class ShownFactor:
    words: str
    effect: str | None  # "raises", "lowers", or None for a factor stored before factors were signed
    signed: str  # "raises the chance: Senior title", or the words alone when unsigned


@dataclass(frozen=True)
class QualityView:
    label: str  # the stored label, "high" or "low"
    words: str  # "High · 61%"
    look: str  # "high", "low" or "neutral"
    factors: tuple[ShownFactor, ...]


def factor_words(fmt: Any, factor: Factor) -> str:
    """The factor in the reader's language; a phrase no feature describes is shown as stored."""
    if factor.feature in labels.FACTORS:
        return fmt._(labels.FACTORS[factor.feature])
    group, _, value = factor.feature.partition("=")
    if group in labels.FACTOR_PATTERNS and value:
        shown = {"country": fmt.country, "size": lambda v: fmt.label(v, "CompanySize"),
                 "industry": lambda v: fmt.label(v, "Industry")}[group](value)
        return fmt._(labels.FACTOR_PATTERNS[group]) % {"value": shown}
    return factor.text


def quality_view(fmt: Any, label: Any, probability: Any, factors: Iterable[Any], threshold: float) -> QualityView:
    """From a Lead's `Quality` parts or a list row's columns (factors as stored, or as `Factor`s)."""
    label = str(label)
    chance = float(probability)
    look = "neutral" if borderline(chance, threshold) else label
    shown = tuple(_factor(fmt, f) if isinstance(f, Factor) else _stored(fmt, f) for f in factors or ())
    return QualityView(label, f"{fmt.label(label, 'QualityLabel')} · {fmt.percent(chance)}", look, shown)


def _factor(fmt: Any, factor: Factor) -> ShownFactor:
    return _shown(fmt, factor_words(fmt, factor), factor.effect and factor.effect.value)


# A stored factor's words in a language, each worked out once per process: a model has a few hundred features, and
# a list page shows 150 factors. Bounded: cleared when full.
_STORED: dict[tuple, ShownFactor] = {}
_STORED_MAX = 8192


def _stored(fmt: Any, value: Any) -> ShownFactor:
    key = (fmt.language, value.get("feature"), value.get("effect")) if isinstance(value, dict) else (
        fmt.language, str(value))
    found = _STORED.get(key)
    if found is None:
        if len(_STORED) >= _STORED_MAX:
            _STORED.clear()
        found = _STORED[key] = _factor(fmt, read_factor(value))
    return found


def _shown(fmt: Any, words: str, effect: str | None) -> ShownFactor:
    return ShownFactor(words, effect, fmt._(SIGNED[effect]) % {"factor": words} if effect in SIGNED else words)
