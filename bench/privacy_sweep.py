"""What retention (REFERRALS_RETENTION_MONTHS) costs the sweep, on a generated set at its moment: the product's
sweep (expiry of the set's due leads, retirement, no reminders) timed and restored after itself, in turns; with
`--months` also the first sweep with retention set (it anonymises the backlog: run on a copy) and a steady sweep
after it. Without `--months` it runs on whatever code is first on the path, so the same script measures the code
before the feature (PYTHONPATH=/path/to/main/src) and after it with retention unset.

    .venv/bin/python bench/privacy_sweep.py --reuse /path/info.json [--months 6] [--runs 3]
"""

import argparse
import inspect
import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
import runner  # noqa: E402
from referrals.services.sweep import sweep  # noqa: E402
from referrals.store.db import make_engine  # noqa: E402
from referrals.store.migrate import upgrade  # noqa: E402


def timed(engine, at: datetime, **options) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    report = sweep(engine, now=at, remind=False, **options)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"expired": report.expired, "anonymised": getattr(report, "anonymised", None),
            "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)}  # CPU: steadier on a shared machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--months", type=int, default=None)
    args = parser.parse_args()
    info = generate.load(args.reuse)
    engine = make_engine(info.url)
    upgrade(engine)
    at = datetime.fromisoformat(info.now)
    has_retention = "retention_months" in inspect.signature(sweep).parameters
    out: dict = {"code_has_retention": has_retention, "unset": []}
    for _ in range(args.runs):
        out["unset"].append(timed(engine, at))
        runner._restore_sweep(engine, at)
    if args.months:
        out["first_with_retention"] = timed(engine, at, retention_months=args.months)  # the backlog
        runner._restore_sweep(engine, at)
        out["steady_with_retention"] = []
        for run in range(args.runs):  # later sweeps: only what newly crossed the line
            later = at + timedelta(minutes=5 * (run + 1))
            out["steady_with_retention"].append(timed(engine, later, retention_months=args.months))
            runner._restore_sweep(engine, later)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
