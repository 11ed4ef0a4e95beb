"""`referrals import leads|history FILE`, run as a real process against each database."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests import factories
from tests.e2e.conftest import lead_count
from tests.e2e.test_api_imports import csv_text, lead
from tests.integration.test_history_import import as_csv, count, history_row

REFERRALS = str(Path(sys.executable).with_name("referrals"))


def cli(engine: Engine, *args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("REFERRALS_")}
    env |= {"REFERRALS_DATABASE_URL": engine.url.render_as_string(hide_password=False), "COLUMNS": "200"}
    return subprocess.run([REFERRALS, *args], capture_output=True, text=True, env=env, timeout=300)


def test_import_leads_checks_then_imports_and_says_which_rows_failed(engine, tmp_path):
    tenant = factories.add_tenant(engine)
    path = tmp_path / "leads.csv"
    path.write_bytes(csv_text([lead(tenant.partner_id, "c-1"), lead(tenant.partner_id, "c-2", call_to_action="x")],
                              bom=True, crlf=True))

    dry = cli(engine, "import", "leads", str(path), "--dry-run", "--json")
    assert dry.returncode == 1, dry.stderr  # a row had an error
    assert json.loads(dry.stdout)["created"] == 1 and lead_count(engine) == 0

    done = cli(engine, "import", "leads", str(path))
    assert done.returncode == 1 and "1 created" in done.stdout and "row 2, CallToAction" in done.stdout
    assert lead_count(engine) == 1


def test_import_history_of_past_leads_tells_nobody_and_a_second_run_creates_nothing(engine, tmp_path):
    tenant = factories.add_tenant(engine)
    path = tmp_path / "history.csv"
    path.write_text(as_csv([history_row(tenant.partner_id, i) for i in range(30)]).getvalue(), newline="")

    first = cli(engine, "import", "history", str(path), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["created"] == 30
    again = json.loads(cli(engine, "import", "history", str(path), "--json").stdout)
    assert (again["created"], again["existing"]) == (0, 30)
    from referrals.store.tables import outbox

    assert lead_count(engine) == 30 and count(engine, outbox) == 0
