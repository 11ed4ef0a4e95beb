"""What webhooks cost the expiry sweep: the product's sweep of a generated set at its moment, with no webhook, with a
webhook of the big partner listening to another event (looked up, nothing sent), and with one listening to
`lead.expired` (each expired lead of that partner loaded and queued). Each run is restored after itself.

    .venv/bin/python bench/webhook_sweep.py --reuse /path/info.json
"""

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
import runner  # noqa: E402
import webhook_load  # noqa: E402
from referrals.services.sweep import sweep  # noqa: E402
from referrals.store.db import make_engine, writing  # noqa: E402
from referrals.store.migrate import upgrade  # noqa: E402
from referrals.store.tables import webhooks  # noqa: E402


def timed(engine, at: datetime) -> dict:
    t0 = time.perf_counter()
    report = sweep(engine, now=at, remind=False)
    seconds = time.perf_counter() - t0
    runner._restore_sweep(engine, at)
    return {"expired": report.expired, "seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    info = generate.load(args.reuse)
    engine = make_engine(info.url)
    upgrade(engine)
    at = datetime.fromisoformat(info.now)
    out: dict = {"none": [], "other_event": [], "lead_expired": []}
    for _ in range(args.runs):  # the cases take turns, so none pays alone for a cold cache
        out["none"].append(timed(engine, at))
        with webhook_load.listening(engine, info.big_partner) as queued:
            with writing(engine) as conn:
                conn.execute(webhooks.update().where(webhooks.c.description == "bench").values(events=["lead.created"]))
            out["other_event"].append({**timed(engine, at)})
        out["other_event"][-1]["queued"] = queued["deliveries"]
        with webhook_load.listening(engine, info.big_partner) as queued:
            out["lead_expired"].append(timed(engine, at))
        out["lead_expired"][-1]["queued"] = queued["deliveries"]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
