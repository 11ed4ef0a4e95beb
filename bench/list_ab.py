"""The list's service layer, before and after a change, on one data set: two source trees take turns.

    .venv/bin/python bench/list_ab.py --info set.json --before /path/to/old/checkout --runs 30 --rounds 3

Each round runs the runner's `measure_list` (service and hand-written SQL, first and deep pages, without HTTP) once
with the old tree's code and once with this tree's, each in its own process, alternating which goes first; the
best p50 of each case over the rounds is kept, so a busy moment on the machine hurts neither side alone. Prints
a Markdown table and writes the raw figures as JSON (--out).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = (
    "import json, sys; sys.path.insert(0, 'bench'); import runner, generate;"
    "info = generate.load(__import__('pathlib').Path(sys.argv[1]));"
    "engine = runner.make_engine(info.url);"
    "print(json.dumps(runner.measure_list(engine, info, int(sys.argv[2]), None, int(sys.argv[3]))))"
)


def measure(tree: Path, info: Path, runs: int, deep: int) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}:{tree}"}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(info), str(runs), str(deep)], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(rounds: list[dict]) -> dict:
    """Per case and depth, the round with the lowest service p50 (and its floor)."""
    out: dict = {}
    for result in rounds:
        for case, entry in result.items():
            for depth in ("first", "deep"):
                if depth not in entry:
                    continue
                row = entry[depth]
                kept = out.setdefault(case, {}).get(depth)
                if kept is None or row["service"]["p50_ms"] < kept["service"]["p50_ms"]:
                    out[case][depth] = row
    return out


def table(before: dict, after: dict) -> str:
    lines = ["| filter | page | floor p50 | service before | after | before ÷ floor | after ÷ floor |",
             "|---|---|---|---|---|---|---|"]
    for case in before:
        for depth in ("first", "deep"):
            if depth not in before[case] or depth not in after.get(case, {}):
                continue
            b, a = before[case][depth], after[case][depth]
            floor = min(b["floor"]["p50_ms"], a["floor"]["p50_ms"])
            lines.append(f"| {case} | {depth} | {floor:.2f} ms | {b['service']['p50_ms']:.2f} ms | "
                         f"{a['service']['p50_ms']:.2f} ms | {b['service']['p50_ms'] / floor:.1f}× | "
                         f"{a['service']['p50_ms'] / floor:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--info", type=Path, required=True, help="a data set description from bench/generate.py")
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the code before the change")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--deep", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    results: dict[str, list] = {"before": [], "after": []}
    for index in range(args.rounds):
        order = ("before", "after") if index % 2 == 0 else ("after", "before")
        for side in order:
            print(f"round {index + 1}: {side}", file=sys.stderr, flush=True)
            results[side].append(measure(trees[side], args.info.resolve(), args.runs, args.deep))
    before, after = best(results["before"]), best(results["after"])
    if args.out:
        args.out.write_text(json.dumps({"before": before, "after": after, "rounds": results}, indent=2))
    print(table(before, after))


if __name__ == "__main__":
    main()
