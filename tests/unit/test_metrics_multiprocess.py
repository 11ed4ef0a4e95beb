"""Multiprocess mode as the worker processes use it: each process that called `prepare_multiprocess(directory)`
counts into its own files there and any of them renders the sum of all; a dead process's counts stay in the sum
(`process_died` removes none); `wipe_multiprocess_dir` starts the next run from zero. Each step is a process of
its own (the mode is a process-wide switch)."""

import os
import subprocess
import sys

from tests.metrics_support import value

COUNT = """
import sys
from referrals import metrics
metrics.prepare_multiprocess(sys.argv[1])
for _ in range(int(sys.argv[2])):
    metrics.email("sent")
metrics.webhook("failed")
metrics.observe_request("GET", "/api/v1/leads", 200, 0.004)
"""
RENDER = """
import sys
from referrals import metrics
metrics.prepare_multiprocess(sys.argv[1])
if len(sys.argv) > 2:
    metrics.process_died(int(sys.argv[2]))
sys.stdout.write(metrics.render().decode())
"""


def _python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_processes_sharing_a_directory_render_the_sum_of_all_and_a_wipe_starts_again(tmp_path):
    directory = tmp_path / "metrics"  # made by the first process that prepares it
    _python(COUNT, str(directory), "3")
    _python(COUNT, str(directory), "2")
    pids = sorted(path.stem.split("_")[1] for path in directory.glob("counter_*.db"))
    assert len(pids) == 2  # one file of counts a process
    summed = _python(RENDER, str(directory), pids[0])  # a counting process is gone: its counts stay
    assert value(summed, "referrals_emails_sent_total") == 5
    assert value(summed, "referrals_webhooks_failed_total") == 2
    assert value(summed, "referrals_http_request_duration_seconds_count", method="GET", route="/api/v1/leads",
                 status="200") == 2
    assert value(summed, "referrals_http_request_duration_seconds_bucket", method="GET", route="/api/v1/leads",
                 status="200", le="0.005") == 2

    from referrals.metrics import wipe_multiprocess_dir

    wipe_multiprocess_dir(directory)
    assert value(_python(RENDER, str(directory)), "referrals_emails_sent_total") == 0


INHERITED = """
from referrals import metrics
metrics.email("sent")
metrics.email("sent")
print(metrics.render().decode())
"""


def test_a_process_that_inherited_the_directory_counts_into_it_or_alone_never_failing(tmp_path):
    directory = tmp_path / "not" / "made" / "yet"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run([sys.executable, "-c", INHERITED], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert value(done.stdout, "referrals_emails_sent_total") == 2 and list(directory.glob("counter_*.db"))

    (tmp_path / "a-file").write_text("")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "a-file" / "metrics")
    done = subprocess.run([sys.executable, "-c", INHERITED], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert value(done.stdout, "referrals_emails_sent_total") == 2  # alone, in memory
    assert "counting in this process only" in done.stderr
