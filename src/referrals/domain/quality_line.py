"""The line between High and Low: relative to the program, chosen when a model is trained and kept with it.

By default a lead is High when its chance is at least HIGH_RATIO (1.5) times the program's conversion rate. So
that the label says something, the line is kept where between MIN_HIGH_SHARE (10%) and MAX_HIGH_SHARE (60%) of
the training leads fall above it (kind "clamped" when it had to move). With no history, High is the top
NO_HISTORY_SHARE (30%) of recent scores ("top_share"); an operator's fixed line (REFERRALS_QUALITY_THRESHOLD)
is kind "fixed". The line is stored in the model's parameters, so labels change only when a new model is put in
use, never silently in between.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

HIGH_RATIO = 1.5
MIN_HIGH_SHARE = 0.10
MAX_HIGH_SHARE = 0.60
NO_HISTORY_SHARE = 0.30
KINDS = ("relative", "clamped", "top_share", "fixed", "default")


@dataclass(frozen=True)
class Line:
    threshold: float
    kind: str  # one of KINDS
    base_rate: float | None = None  # the program's conversion rate the line was drawn from, when there was one

    def to_params(self) -> dict:
        return {"threshold": self.threshold, "kind": self.kind, "base_rate": self.base_rate}

    @classmethod
    def from_params(cls, params: Mapping) -> "Line":
        threshold = float(params["threshold"])
        if not 0.0 < threshold < 1.0 or params.get("kind") not in KINDS:
            raise ValueError("unsupported quality line")
        rate = params.get("base_rate")
        return cls(threshold, str(params["kind"]), None if rate is None else float(rate))


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest rank below (no interpolation): a line that real scores reach."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.floor(q * len(ordered))))]


def relative_line(rate: float, scores: Sequence[float], *, ratio: float = HIGH_RATIO) -> Line:
    """HIGH_RATIO times the program's rate, moved (kind "clamped") so the High share of `scores` stays within
    MIN_HIGH_SHARE..MAX_HIGH_SHARE."""
    threshold = min(max(ratio * rate, 0.01), 0.99)
    if scores:
        share = sum(s >= threshold for s in scores) / len(scores)
        bound = None
        if share > MAX_HIGH_SHARE:
            bound = quantile(scores, 1.0 - MAX_HIGH_SHARE)
        elif share < MIN_HIGH_SHARE:
            bound = quantile(scores, 1.0 - MIN_HIGH_SHARE)
        if bound is not None and 0.0 < bound < 1.0:
            return Line(round(bound, 4), "clamped", rate)
    return Line(round(threshold, 4), "relative", rate)


def top_share_line(scores: Sequence[float], *, default: float) -> Line:
    """No history: High is the top NO_HISTORY_SHARE of recent scores (`default` when there are none yet)."""
    if not scores:
        return Line(default, "default")
    return Line(round(min(max(quantile(scores, 1.0 - NO_HISTORY_SHARE), 0.01), 0.99), 4), "top_share")
