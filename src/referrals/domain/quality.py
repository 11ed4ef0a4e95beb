"""Lead quality: the probability that a lead converts, with the reasons in words.

The model is an L2-regularised logistic regression on the named features of quality_features.py,
fitted by Newton's method in numpy. The penalty pulls each weight toward a hand-set prior rather
than toward zero, so before there is history the priors speak, and as outcomes accumulate the data
takes over. Each partner gets an offset fitted on its own outcomes and shrunk toward the program's
model (a partner with few outcomes scores like the program). Scoring is a dictionary walk: a few
microseconds per lead, no numpy.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from referrals.domain.enums import QualityLabel
from referrals.domain.lead import Quality
from referrals.domain.quality_features import LeadFacts, features, group
from referrals.domain.quality_line import HIGH_RATIO, Line
from referrals.domain.quality_words import factor

PARAMS_VERSION = 1
MIN_FACTOR = 0.05  # contributions smaller than this (in log-odds) are not worth naming
BORDERLINE = 0.1  # a probability this close to the threshold is shown neither as good nor as bad


@dataclass(frozen=True)
class QualityModel:
    bias: float
    weights: Mapping[str, float]
    partners: Mapping[str, float] = field(default_factory=dict)
    baselines: Mapping[str, float] = field(default_factory=dict)  # a typical lead's contribution per group
    examples: int = 0
    line: Line | None = None  # the High/Low line chosen at training, kept with the model (quality_line.py)

    @property
    def is_prior(self) -> bool:
        return self.examples == 0

    @cached_property
    def terms(self) -> dict[str, tuple[float, float]]:
        """Feature name -> (weight, its group's baseline): what scoring looks up, joined once per model."""
        return {name: (w, self.baselines.get(group(name), 0.0)) for name, w in self.weights.items()}

    def to_params(self) -> dict:
        return {
            "version": PARAMS_VERSION,
            "kind": "logistic",
            "bias": self.bias,
            "weights": dict(self.weights),
            "partners": dict(self.partners),
            "baselines": dict(self.baselines),
            "examples": self.examples,
            **({"line": self.line.to_params()} if self.line else {}),
        }

    @classmethod
    def from_params(cls, params: Mapping) -> "QualityModel":
        if params.get("version") != PARAMS_VERSION or params.get("kind") != "logistic":
            raise ValueError("unsupported quality model parameters")
        return cls(
            float(params["bias"]),
            dict(params["weights"]),
            dict(params.get("partners", {})),
            dict(params.get("baselines", {})),
            int(params.get("examples", 0)),
            Line.from_params(params["line"]) if params.get("line") else None,
        )


# Before any history. DEFAULT_RATE is a stated assumption, not a measurement: the middle of the conversion rates we
# have seen for accepted B2B referrals (0.21-0.36 on a third-party lead simulator, about 0.30 on our generator). A
# program with history starts from its own rate and strength instead (`priors(rows, converted)`).
DEFAULT_RATE = 0.25
# The hand-set effects (log-odds) below are taken at this strength while there is no history: at full strength
# and with the old centre a complete lead scored 0.50-0.60 against 0.21-0.36 observed. With history, the strength
# is fitted on the program's outcomes, never above 1 (the effects can be shrunk by the data, not sharpened).
NO_HISTORY_STRENGTH = 0.8
MIN_STRENGTH = 0.2
# Mean of the effects over a typical mix of leads (our generator's, at NO_HISTORY_STRENGTH): with no history,
# the bias puts that typical lead's chance at DEFAULT_RATE.
TYPICAL_EFFECT = 1.458
# The line before any training: HIGH_RATIO times the default rate.
DEFAULT_LINE = Line(round(HIGH_RATIO * DEFAULT_RATE, 4), "default", DEFAULT_RATE)
EFFECTS = {
    "channel=sales": 1.3,
    "channel=marketing": 0.7,
    "channel=profile": 0.4,
    "channel=offer_contact_me": 0.4,
    "channel=offer_test_drive": 0.0,
    "channel=offer_free_trial": -0.2,
    "channel=offer_get_it_now": -0.4,
    "email=valid": 0.3,
    "email=invalid": -1.2,
    "email=spam": -2.0,
    "email=unknown": -0.3,
    "phone=valid": 0.4,
    "phone=invalid": -0.5,
    "phone=unknown": -0.2,
    "mail=company": 0.5,
    "mail=free": -0.3,
    "mail=none": -0.3,
    "role_account": -0.3,
    "domain_matches_company": 0.3,
    "msg=empty": -0.4,
    "msg=short": -0.1,
    "msg=medium": 0.2,
    "msg=long": 0.4,
    "msg_buying": 0.5,
    "msg_buying_many": 0.4,
    "msg_spamwords": -1.0,
    "msg_links": -0.4,
    "msg_caps": -0.3,
    "seniority=owner": 0.4,
    "seniority=c_level": 0.4,
    "seniority=vp": 0.35,
    "seniority=director": 0.3,
    "seniority=manager": 0.2,
    "seniority=individual": 0.0,
    "seniority=student": -0.8,
    "seniority=none": -0.2,
    "function=executive": 0.1,
    "function=it": 0.1,
    "function=procurement": 0.1,
    "function=finance": 0.05,
    "company_missing": -0.5,
    "company_is_person": -0.3,
    "name_missing": -0.3,
    "spam": -2.0,
    "size=1-9": -0.2,
    "size=50-249": 0.1,
    "size=250-999": 0.2,
    "size=1000-4999": 0.3,
    "size=5000+": 0.3,
    "size=unknown": -0.1,
}


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _scaled(strength: float) -> dict[str, float]:
    return {name: round(strength * effect, 4) for name, effect in EFFECTS.items()}


def priors(rows: Sequence[Mapping[str, float]] = (), converted: Sequence[bool] = ()) -> QualityModel:
    """The priors with no history (DEFAULT_RATE, NO_HISTORY_STRENGTH); with the program's past leads (`rows`, their
    features, and whether each `converted`), a bias and a strength fitted on them: the priors start from the
    program's observed rate, and are only as sure of themselves as its outcomes allow."""
    if not rows:
        return QualityModel(_logit(DEFAULT_RATE) - TYPICAL_EFFECT, _scaled(NO_HISTORY_STRENGTH), line=DEFAULT_LINE)
    effects = np.array([sum(EFFECTS.get(n, 0.0) * v for n, v in row.items()) for row in rows])
    y = np.asarray(converted, dtype=np.float64)
    bias, strength = _fit_bias_strength(effects, y)
    return QualityModel(bias, _scaled(strength))


def _fit_bias_strength(effects: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Maximum likelihood of z = bias + strength * effect (Newton, lightly ridged toward the observed rate and a
    strength of 1), strength kept within MIN_STRENGTH..1; then the bias alone again, so that the mean chance is the
    observed rate (kept within 1%..99%: all won or all lost is not a certainty)."""
    rate = min(max(float(y.mean()), 0.01), 0.99)
    x = np.column_stack([np.ones_like(effects), effects])
    centre = np.array([_logit(rate) - float(effects.mean()), 1.0])
    beta = centre.copy()
    for _ in range(30):
        p = 0.5 * (1.0 + np.tanh(0.5 * (x @ beta)))
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.eye(2)
        step = np.linalg.solve(hess, x.T @ (p - y) + (beta - centre))
        step *= min(1.0, 5.0 / max(float(np.max(np.abs(step))), 1e-12))
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    strength = float(min(max(beta[1], MIN_STRENGTH), 1.0))
    bias = float(beta[0])
    for _ in range(30):
        p = 0.5 * (1.0 + np.tanh(0.5 * (bias + strength * effects)))
        step = (float(p.mean()) - rate) / max(float(np.mean(p * (1 - p))), 1e-9)
        bias -= max(min(step, 5.0), -5.0)
        if abs(step) < 1e-7:
            break
    return bias, strength


PRIOR = priors()


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def contributions(model: QualityModel, feats: Mapping[str, float], partner_id: str | None = None):
    """(log-odds, [(feature, contribution relative to a typical lead)])."""
    terms = model.terms
    z = model.bias
    parts = []
    for name, value in feats.items():
        term = terms.get(name)
        if term is None:
            continue
        c = term[0] * value
        z += c
        parts.append((name, c - term[1]))
    if partner_id is not None:
        offset = model.partners.get(partner_id, 0.0)
        if offset:
            z += offset
            parts.append(("partner", offset))
    return z, parts


def score(model: QualityModel, feats: Mapping[str, float], partner_id: str | None = None) -> float:
    return _sigmoid(contributions(model, feats, partner_id)[0])


def assess(
    model: QualityModel, facts: LeadFacts, *, threshold: float, partner_id: str | None = None, top: int = 3
) -> Quality:
    """Probability, label (any spam flag forces Low) and the top factors in words, each saying whether it raises or
    lowers the chance compared with a typical lead."""
    z, parts = contributions(model, features(facts), partner_id)
    probability = _sigmoid(z)
    parts.sort(key=lambda p: -abs(p[1]))
    factors = tuple(factor(name, c) for name, c in parts[:top] if abs(c) >= MIN_FACTOR)
    high = probability >= threshold and not facts.spam
    return Quality(QualityLabel.HIGH if high else QualityLabel.LOW, probability, factors)


def borderline(probability: float, threshold: float) -> bool:
    """Too close to the threshold for the High/Low label to mean much: the pages show it in a neutral look."""
    return abs(probability - threshold) < BORDERLINE


# -- fitting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    features: Mapping[str, float]
    converted: bool
    weight: float = 1.0  # a lead declined as spam counts more: it is strong evidence
    partner_id: str | None = None


def fit(
    examples: Sequence[Example],
    *,
    prior: QualityModel | None = None,
    l2: float = 5.0,
    partner_l2: float = 8.0,
    min_count: int = 10,
    iterations: int = 25,
) -> QualityModel:
    """MAP logistic regression: weights pulled toward `prior` with strength `l2`; then one offset per
    partner, pulled toward zero with strength `partner_l2`. The default prior is centred on the examples' own
    conversion rate."""
    if not examples:
        return prior or PRIOR
    if prior is None:
        prior = priors([ex.features for ex in examples], [ex.converted for ex in examples])
    counts = Counter(name for ex in examples for name in ex.features)
    vocab = sorted({n for n, k in counts.items() if k >= min_count} | set(prior.weights))
    index = {n: j for j, n in enumerate(vocab)}
    x = np.zeros((len(examples), len(vocab) + 1), dtype=np.float32)
    x[:, -1] = 1.0  # the bias column, not penalised
    for i, ex in enumerate(examples):
        for name, value in ex.features.items():
            j = index.get(name)
            if j is not None:
                x[i, j] = value
    y = np.array([ex.converted for ex in examples], dtype=np.float64)
    sw = np.array([ex.weight for ex in examples], dtype=np.float64)
    center = np.array([prior.weights.get(n, 0.0) for n in vocab] + [prior.bias])
    penalty = np.full(len(vocab) + 1, l2)
    penalty[-1] = 1e-4
    beta = _newton(x, y, sw, center, penalty, np.zeros(len(examples)), iterations)
    weights = {n: float(beta[j]) for n, j in index.items()}
    logits = _matvec(x, beta)
    partners = _partner_offsets(examples, logits, y, sw, partner_l2)
    baselines = _baselines(examples, weights)
    return QualityModel(float(beta[-1]), weights, partners, baselines, len(examples))


def _matvec(x: np.ndarray, beta: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    return np.concatenate([x[s : s + chunk].astype(np.float64) @ beta for s in range(0, len(x), chunk)])


def _newton(x, y, sw, center, penalty, offset, iterations, chunk: int = 50_000) -> np.ndarray:
    beta = center.copy()
    for _ in range(iterations):
        grad = penalty * (beta - center)
        hess = np.diag(penalty)
        for s in range(0, len(x), chunk):
            xc = x[s : s + chunk].astype(np.float64)
            p = 0.5 * (1.0 + np.tanh(0.5 * (xc @ beta + offset[s : s + chunk])))  # a sigmoid that cannot overflow
            grad += xc.T @ (sw[s : s + chunk] * (p - y[s : s + chunk]))
            hess += (xc * (sw[s : s + chunk] * p * (1 - p))[:, None]).T @ xc
        step = np.linalg.solve(hess, grad)
        step *= min(1.0, 5.0 / max(np.max(np.abs(step)), 1e-12))  # damped: no wild first steps
        beta -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return beta


def _partner_offsets(examples, logits, y, sw, strength: float) -> dict[str, float]:
    """One-dimensional MAP fits of each partner's offset on top of the program's logits."""
    by_partner: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        if ex.partner_id is not None:
            by_partner.setdefault(ex.partner_id, []).append(i)
    offsets = {}
    for partner_id, rows in by_partner.items():
        idx = np.array(rows)
        z, t, w = logits[idx], y[idx], sw[idx]
        b = 0.0
        for _ in range(20):
            p = 0.5 * (1.0 + np.tanh(0.5 * (z + b)))
            step = (np.sum(w * (p - t)) + strength * b) / (np.sum(w * p * (1 - p)) + strength)
            b -= step
            if abs(step) < 1e-7:
                break
        if abs(b) >= 0.01:
            offsets[partner_id] = round(float(b), 4)
    return offsets


def _baselines(examples: Sequence[Example], weights: Mapping[str, float]) -> dict[str, float]:
    totals: Counter = Counter()
    for ex in examples:
        for name, value in ex.features.items():
            totals[group(name)] += weights.get(name, 0.0) * value
    return {g: total / len(examples) for g, total in totals.items()}
