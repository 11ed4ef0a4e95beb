"""A served process settles its heap once built (web/heap.py): the objects startup made (the app, its validators,
the locale data) move to the permanent generation, so Python's full collections stop walking them (about 90 ms a
collection on the 2-core machine, one every few requests of a heavy page). An app built for a test is not frozen."""

import json
import subprocess
import sys

from tests.e2e.served import environment

PROBE = """
import gc, json, sys
from referrals.config import get_settings
from referrals.store.db import make_engine
from referrals.web.app import create_app
settings = get_settings()
if sys.argv[1] == "served":
    from referrals.cli.served_app import build
    build(settings, make_engine(settings.database_url), kicks=False)
else:
    create_app(settings, make_engine(settings.database_url))
print(json.dumps({"frozen": gc.get_freeze_count()}))
"""


def _frozen(tmp_path, how: str) -> int:
    env = environment(f"sqlite:///{tmp_path / 'heap.db'}")
    done = subprocess.run([sys.executable, "-c", PROBE, how], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])["frozen"]


def test_the_served_app_freezes_what_startup_made_and_a_plain_app_does_not(tmp_path):
    # the app `referrals serve` runs, in each of its web processes: the startup's objects are frozen
    assert _frozen(tmp_path, "served") > 50_000
    # an app built for a test (or any other caller) leaves the collector as it was
    assert _frozen(tmp_path, "plain") == 0
