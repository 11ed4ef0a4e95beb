"""An evaluation of the quality model on leads it has not seen: how well it ranks (AUC, lift of the top 20%), how
accurate and calibrated its chances are (Brier, ECE over 10 bins), and whether the High/Low line means something
(the share labelled High, and how much more often High leads convert than Low ones), against the base rate and a
priors-only model. `checks` says in words whether the line passes, and why not when it does not.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields

from referrals.domain.quality_line import HIGH_RATIO, MAX_HIGH_SHARE, MIN_HIGH_SHARE
from referrals.domain.quality_metrics import auc, brier, calibration_table, expected_calibration_error

LIFT_SHARE = 0.2


@dataclass(frozen=True)
class Scored:
    auc: float
    brier: float
    ece: float


@dataclass(frozen=True)
class Evaluation:
    train: int
    test: int
    base_rate: float  # conversions among the test leads
    auc: float
    brier: float
    ece: float
    lift_top20: float  # conversion of the 20% best-scored test leads over the base rate
    high_share: float
    high_rate: float | None  # None when no lead (or every lead) was High
    low_rate: float | None
    priors_only: Scored
    threshold: float
    line_kind: str

    def to_json(self) -> dict:
        """Exactly the keys of `referrals quality evaluate --json` (issue 19)."""
        keys = ("train", "test", "base_rate", "auc", "brier", "ece", "lift_top20", "high_share", "high_rate",
                "low_rate")
        return {**{k: getattr(self, k) for k in keys}, "priors_only": asdict(self.priors_only)}

    def to_stored(self) -> dict:
        return {**self.to_json(), "threshold": self.threshold, "line_kind": self.line_kind}

    @classmethod
    def from_stored(cls, data: Mapping) -> "Evaluation":
        known = {f.name for f in fields(cls)}
        return cls(**{**{k: v for k, v in data.items() if k in known}, "priors_only": Scored(**data["priors_only"])})


def scored(outcomes: Sequence[bool], predicted: Sequence[float]) -> Scored:
    table = calibration_table(outcomes, predicted, bins=10)
    return Scored(auc(outcomes, predicted), brier(outcomes, predicted), expected_calibration_error(table))


def lift(outcomes: Sequence[bool], predicted: Sequence[float], share: float = LIFT_SHARE) -> float:
    """Conversion among the top `share` by score, over the conversion of all."""
    rate = sum(outcomes) / len(outcomes)
    ranked = sorted(zip(predicted, outcomes, strict=True), key=lambda pair: -pair[0])
    top = ranked[: max(1, round(share * len(ranked)))]
    return (sum(o for _, o in top) / len(top)) / rate if rate else float("nan")


def evaluation(
    outcomes: Sequence[bool], predicted: Sequence[float], high: Sequence[bool], prior_predicted: Sequence[float],
    *, train: int, threshold: float, line_kind: str,
) -> Evaluation:
    main = scored(outcomes, predicted)
    highs = [o for o, h in zip(outcomes, high, strict=True) if h]
    lows = [o for o, h in zip(outcomes, high, strict=True) if not h]
    return Evaluation(
        train=train, test=len(outcomes), base_rate=sum(outcomes) / len(outcomes), auc=main.auc, brier=main.brier,
        ece=main.ece, lift_top20=lift(outcomes, predicted), high_share=len(highs) / len(outcomes),
        high_rate=sum(highs) / len(highs) if highs else None, low_rate=sum(lows) / len(lows) if lows else None,
        priors_only=scored(outcomes, prior_predicted), threshold=threshold, line_kind=line_kind,
    )


def ratio_ok(e: Evaluation) -> bool:
    return e.high_rate is not None and e.low_rate is not None and e.high_rate >= HIGH_RATIO * e.low_rate


def share_ok(e: Evaluation) -> bool:
    return MIN_HIGH_SHARE <= e.high_share <= MAX_HIGH_SHARE


def checks(e: Evaluation) -> list[str]:
    """The line's two promises, each kept or not, in words (English: the CLI's and the docs')."""
    out = []
    if e.high_rate is None or e.low_rate is None:
        out.append(f"High vs Low: not measurable, {'no' if e.high_rate is None else 'every'} test lead is High "
                   f"at the line {e.threshold:.3f}")
    elif ratio_ok(e):
        times = e.high_rate / e.low_rate if e.low_rate else float("inf")
        out.append(f"High converts {times:.1f}x as often as Low ({e.high_rate:.3f} vs {e.low_rate:.3f}): "
                   f"at least {HIGH_RATIO}x, as promised")
    else:
        out.append(f"High does NOT convert {HIGH_RATIO}x as often as Low ({e.high_rate:.3f} vs {e.low_rate:.3f}): "
                   "the model separates good leads from poor ones too little on this history (AUC "
                   f"{e.auc:.3f}); the label says little here")
    if share_ok(e):
        out.append(f"High share {e.high_share:.0%}: within {MIN_HIGH_SHARE:.0%}-{MAX_HIGH_SHARE:.0%}")
    else:
        side = "below" if e.high_share < MIN_HIGH_SHARE else "above"
        out.append(f"High share {e.high_share:.0%} is {side} {MIN_HIGH_SHARE:.0%}-{MAX_HIGH_SHARE:.0%}: the line "
                   f"({e.threshold:.3f}, {e.line_kind}) was drawn on the training leads, and the test leads score "
                   f"{'lower' if side == 'below' else 'higher'} than they did")
    return out
