"""How long scoring takes: 10,000 synthetic leads through the quality model (features, probability, label,
top factors), and the whole screening of each lead (email and phone verdicts, spam flags, quality).

    .venv/bin/python bench/quality_bench.py [--leads 10000]

The target (issue: lead quality) is scoring 10,000 leads in under a second.
"""

import argparse
import random
import time
from datetime import UTC, datetime

from referrals.domain.quality import Example, assess, fit
from referrals.domain.quality_features import LeadFacts, features
from referrals.quality_eval import generate
from referrals.services.screening import ScreeningContext, screen_with
from referrals.synthetic import verdicts_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    args = parser.parse_args()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    items = generate(random.Random(7), leads=args.leads, partners=12, now=now)
    facts = []
    for item in items:
        email, phone = verdicts_for(item.customer)
        facts.append(LeadFacts(item.origin, item.customer, item.message, email.validity, phone.validity, email.spam))
    examples = [Example(features(f), i.outcome.value == "won", partner_id=i.partner_id)
                for f, i in zip(facts, items, strict=True)]
    model = fit(examples)
    context = ScreeningContext(model=model)

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for f, item in zip(facts, items, strict=True):
            assess(model, f, threshold=0.5, partner_id=item.partner_id)
        best = min(best, time.perf_counter() - started)
    print(f"scoring  {len(items):,} leads: {best:.3f} s  ({best / len(items) * 1e6:.1f} µs per lead)"
          f"  target < 1 s: {'ok' if best * 10_000 / len(items) < 1.0 else 'MISSED'}")

    started = time.perf_counter()
    for item in items:
        screen_with(context, origin=item.origin, customer=item.customer, message=item.message,
                    partner_id=item.partner_id)
    whole = time.perf_counter() - started
    print(f"screening {len(items):,} leads (verdicts + spam flags + quality): {whole:.3f} s "
          f"({whole / len(items) * 1e6:.1f} µs per lead)")


if __name__ == "__main__":
    main()
