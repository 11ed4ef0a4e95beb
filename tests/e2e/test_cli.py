"""The operator's CLI, run as operators run it: as a real `referrals` process against a real database."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from referrals.domain.enums import Outcome
from referrals.domain.listing import FILTERS
from referrals.services.auth import hash_token
from referrals.services.lifecycle import accept_lead, close_lead
from referrals.store.db import make_engine, reading
from referrals.store.tables import api_tokens, leads, outbox
from tests import factories

REFERRALS = str(Path(sys.executable).with_name("referrals"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = cli("migrate", db=url)
    assert result.returncode == 0, result.stderr
    return url


def cli(*args: str, db: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REFERRALS_DATABASE_URL": db, "COLUMNS": "200"}
    return subprocess.run([REFERRALS, *args], capture_output=True, text=True, env=env, timeout=120)


def test_partners_users_and_tokens_are_created_with_json_answers(db):
    added = cli("partners", "add", "Acme Partners", "--country", "IT", "--city", "Roma",
                "--contact-email", "leads@acme.example", "--timezone", "Europe/Rome", "--json", db=db)
    partner = json.loads(added.stdout)
    assert set(partner) == {"id", "location_id", "inbound_key"}

    user = cli("users", "add", "Admin@Acme.example", "--partner", partner["id"], "--role", "referrals-admin",
               "--role", "business-profile-admin", "--password", "s3cret-password", "--json", db=db)
    assert user.returncode == 0, user.stderr
    assert set(json.loads(user.stdout)) == {"id"}

    token = json.loads(cli("tokens", "create", "admin@acme.example", "--json", db=db).stdout)["token"]
    with reading(make_engine(db)) as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert stored == [hash_token(token)]  # only the hash is kept


def test_an_inbound_key_can_be_rotated_and_is_never_shown_again(db):
    partner = json.loads(cli("partners", "add", "Acme", "--json", db=db).stdout)
    refused = cli("partners", "inbound-key", partner["location_id"], db=db)
    rotated = cli("partners", "inbound-key", partner["location_id"], "--rotate", "--json", db=db)

    assert refused.returncode == 2 and "--rotate" in refused.stderr
    new_key = json.loads(rotated.stdout)["inbound_key"]
    assert new_key.startswith("ik_") and new_key != partner["inbound_key"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("partners", "add", "Acme", "--country", "Italy"), "'Italy' is not an ISO 3166 alpha-2 code"),
        (("partners", "add", "Acme", "--timezone", "Mars/Base"), "'Mars/Base' is not a known time zone"),
        (("users", "add", "not-an-email", "--program", "--role", "program-admin"), "not a valid email address"),
        (("users", "add", "a@b.example", "--program", "--role", "referrals-admin"), "cannot be given to a program"),
        (("users", "add", "a@b.example", "--partner", "nope", "--role", "referrals-admin"), "No partner 'nope'"),
        (("tokens", "create", "nobody@example.com"), "No user with the email nobody@example.com"),
        (("sweep", "--now", "yesterday"), "is not an ISO-8601 instant"),
        (("export", "--partner", "nope"), "No partner 'nope'"),
    ],
)
def test_bad_input_gets_a_one_line_error_and_a_non_zero_exit(db, args, message):
    result = cli(*args, db=db)

    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_migrate_says_what_it_did(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    first, again = cli("migrate", db=url), cli("migrate", db=url)
    assert first.returncode == again.returncode == 0
    assert first.stdout.startswith("created the schema (revision ")
    assert again.stdout.startswith("the schema is up to date (revision ")


def test_a_missing_database_schema_is_a_one_line_error(tmp_path):
    result = cli("tokens", "create", "a@b.example", db=f"sqlite:///{tmp_path / 'empty.db'}")

    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "error:" in result.stderr


def test_demo_seeds_once_and_prints_the_credentials(db):
    first = cli("demo", "--leads", "60", "--json", db=db)
    again = cli("demo", "--leads", "60", db=db)
    if_empty = cli("demo", "--if-empty", db=db)

    assert first.returncode == 0, first.stderr
    seeded = json.loads(first.stdout)
    assert seeded["password"] and "admin@contoso.example" in seeded["users"]
    assert again.returncode == 2 and "already holds data" in again.stderr
    assert if_empty.returncode == 0 and "admin@contoso.example" in if_empty.stdout
    with reading(make_engine(db)) as conn:
        assert conn.execute(select(func.count()).select_from(leads)).scalar() == 60


def test_sweep_runs_every_job_once_as_of_the_given_instant(db):
    cli("demo", "--leads", "60", db=db)

    far_future = json.loads(cli("sweep", "--now", "2099-01-01T00:00:00Z", "--json", db=db).stdout)
    second = json.loads(cli("sweep", "--now", "2099-01-01T00:00:00Z", "--json", db=db).stdout)

    assert far_future["expired"] + far_future["retired"] > 0
    assert second["expired"] == second["retired"] == 0
    with reading(make_engine(db)) as conn:
        assert conn.execute(select(func.count()).select_from(leads).where(leads.c.status == "received")).scalar() == 0
        # no SMTP server configured: the emails wait in the outbox
        assert conn.execute(select(func.count()).select_from(outbox).where(outbox.c.status == "pending")).scalar() > 0


def test_export_writes_the_filtered_list_as_csv(db, tmp_path):
    cli("demo", "--leads", "80", db=db)
    with reading(make_engine(db)) as conn:
        partner_id, expected = conn.execute(
            select(leads.c.partner_id, func.count())
            .where(leads.c.status == "received", leads.c.informational.is_(False))  # status is for leads to answer
            .group_by(leads.c.partner_id).order_by(func.count().desc())
        ).first()
    target = tmp_path / "out.csv"

    result = cli("export", "--partner", partner_id, "--status", "received", "-o", str(target), db=db)

    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == expected
    assert {row["Status"] for row in rows} == {"received"}
    assert "LeadCreationDateTime" in rows[0]
    assert f"{expected} leads exported" in result.stderr
    marked = tmp_path / "excel.csv"
    assert cli("export", "--partner", partner_id, "--status", "received", "--bom", "-o", str(marked),
               db=db).returncode == 0
    assert marked.read_bytes() == b"\xef\xbb\xbf" + target.read_bytes()


def test_export_reports_the_leads_it_wrote_when_cells_hold_line_feeds(engine, tmp_path):
    # given leads whose messages hold line feeds (and quotes), on each database
    tenant = factories.add_tenant(engine)
    messages = ["first line\nsecond line", 'a "quoted"\nword,\n\n', "plain"]
    for message in messages:
        factories.ingest(engine, "contact_me", tenant.partner_id, message=message)
    target = tmp_path / "out.csv"

    url = engine.url.render_as_string(hide_password=False)

    # when the operator exports them to a file and to stdout
    to_file = cli("export", "--partner", tenant.partner_id, "-o", str(target), db=url)
    to_stdout = cli("export", "--partner", tenant.partner_id, db=url)

    # then each reports the leads it wrote, not the lines
    assert to_file.returncode == 0 and to_stdout.returncode == 0, to_file.stderr + to_stdout.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert sorted(row["Message"] for row in rows) == sorted(messages)
    assert "3 leads exported" in to_file.stderr
    assert "3 leads exported" in to_stdout.stderr
    assert list(csv.DictReader(io.StringIO(to_stdout.stdout, newline=""))) == rows


def test_export_takes_an_option_for_every_declared_filter(db):
    shown = cli("export", "--help", db=db).stdout
    for declared in FILTERS:
        assert "--" + declared.name.replace("_", "-") in shown, declared.name


def test_export_filters_by_outcome_spam_and_search_like_the_api(engine, tmp_path):
    # given a won lead, a spam-flagged one and one with an external id, on each database
    tenant = factories.add_tenant(engine)
    won, spam = (factories.ingest(engine, factories.SALES, tenant.partner_id) for _ in range(2))
    known = factories.ingest(engine, factories.SALES, tenant.partner_id, external_id="crm-9")
    accept_lead(engine, tenant.admin, won.id, factories.deal_terms((tenant.admin.user_id,)), now=factories.NOW)
    close_lead(engine, tenant.admin, won.id, Outcome.WON, None, "", now=factories.NOW)
    factories.restamp(engine, tenant.partner_id, spam.id, spam=True, spam_reasons=["disposable domain"])
    factories.restamp(engine, tenant.partner_id, known.id, spam=False, spam_reasons=[])
    url = engine.url.render_as_string(hide_password=False)

    def exported(*options: str) -> list[str]:
        result = cli("export", "--partner", tenant.partner_id, *options, db=url)
        assert result.returncode == 0, result.stderr
        return [row["LeadId"] for row in csv.DictReader(io.StringIO(result.stdout, newline=""))]

    # then each filter narrows the export as in the API
    assert exported("--outcome", "won") == [won.id]
    assert exported("--spam") == [spam.id]
    assert exported("--q", "crm-9") == [known.id]
    # and a bad value is one line naming the filter, exit code 2
    refused = cli("export", "--partner", tenant.partner_id, "--outcome", "wonn", db=url)
    assert refused.returncode == 2 and "outcome" in refused.stderr and refused.stdout == ""
