"""The benchmark runner on 1,000 leads, so it cannot rot: it generates a throwaway database, measures every
benchmark once (list, export, ingest, sweep, page) and writes its JSON and Markdown table. CI runs this,
never the benchmarks themselves; the figures of so small a set mean nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("REFERRALS_TEST_POSTGRES_URL")
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason="set REFERRALS_TEST_POSTGRES_URL to run the PostgreSQL half"),
    ]),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_bench_runner_measures_everything_on_a_small_data_set(backend, tmp_path):
    # given a runner pointed at a throwaway database and a scratch results folder
    env = dict(os.environ)
    if backend == "postgresql":
        env["REFERRALS_BENCH_POSTGRES_URL"] = POSTGRES_URL  # the runner creates and drops bench_<pid> there
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n")
    command = [sys.executable, str(ROOT / "bench" / "runner.py"), "--backend", backend, "--leads", "1000",
               "--runs", "3", "--deep", "3", "--singles", "5", "--batch-leads", "200",
               "--out", str(tmp_path / "results"), "--doc", str(doc)]

    # when it runs (the timeout only stops a hung runner: how fast it is belongs to the benchmarks, and this
    # machine's load decides it)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603

    # then it measured every benchmark and wrote the JSON and the table
    assert done.returncode == 0, done.stderr[-3000:]
    [result_file] = (tmp_path / "results").glob(f"*-{backend}.json")
    result = json.loads(result_file.read_text())
    assert set(result["list"]) == {"none", "status", "country+quality", "customer", "favorites"}
    assert all("http" in result["list"][name]["first"] for name in result["list"])
    assert result["export"]["http_big"]["rows"] == result["dataset"]["big_leads"]
    assert result["ingest"]["raw_insert"]["leads"] == 200
    assert result["ingest"]["single_post_round_robin"]["p95_ms"] > 0
    assert result["sweep"]["product"]["expired"] == result["sweep"]["floor"]["expired"] == result["dataset"]["due"]
    assert "p50_ms" in result["page"] or "skipped" in result["page"]
    table = doc.read_text()
    assert f"<!-- bench:{backend}:start -->" in table and "| list `favorites`, page 1 |" in table
