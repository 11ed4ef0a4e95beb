"""How good a probability is: ranking (AUC), accuracy (Brier score) and calibration (ECE)."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    predicted: float  # mean predicted probability in the bin
    observed: float  # share that converted


def auc(outcomes: Sequence[bool], probabilities: Sequence[float]) -> float:
    """Area under the ROC curve by the rank-sum formula, ties counted half."""
    y = np.asarray(outcomes, dtype=bool)
    p = np.asarray(probabilities, dtype=np.float64)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p), dtype=np.float64)
    sorted_p = p[order]
    # average ranks over ties
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_p)) + 1]
    ends = np.r_[starts[1:], len(p)]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def brier(outcomes: Sequence[bool], probabilities: Sequence[float]) -> float:
    y = np.asarray(outcomes, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    return float(np.mean((p - y) ** 2))


def calibration_table(outcomes: Sequence[bool], probabilities: Sequence[float], bins: int = 10) -> list[CalibrationBin]:
    """Equal-width bins over [0, 1]; empty bins are left out."""
    y = np.asarray(outcomes, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            table.append(
                CalibrationBin(b / bins, (b + 1) / bins, int(mask.sum()), float(p[mask].mean()), float(y[mask].mean()))
            )
    return table


def expected_calibration_error(table: Sequence[CalibrationBin]) -> float:
    total = sum(b.count for b in table)
    return sum(b.count * abs(b.predicted - b.observed) for b in table) / total if total else float("nan")
