"""`referrals users deactivate | reactivate | set`, run as operators run them: a real process on a real database."""

import json

from sqlalchemy import select

from referrals.store.db import make_engine, reading
from referrals.store.tables import users
from tests.e2e.test_cli import cli, db  # noqa: F401 (the fixture)


def _partner_with_two(db: str) -> str:  # noqa: F811
    partner = json.loads(cli("partners", "add", "Acme Partners", "--country", "IT", "--json", db=db).stdout)
    for email, role in (("boss@acme.example", "referrals-admin"), ("rui@acme.example", "referrals-user")):
        assert cli("users", "add", email, "--partner", partner["id"], "--role", role, db=db).returncode == 0
    return partner["id"]


def _row(db: str, email: str):  # noqa: F811
    with reading(make_engine(db)) as conn:
        return conn.execute(select(users.c.active, users.c.notification_email).where(users.c.email == email)).one()


def test_an_operator_deactivates_and_reactivates_a_user(db):  # noqa: F811
    _partner_with_two(db)
    done = cli("users", "deactivate", "Rui@acme.example", "--json", db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["active"] is False and _row(db, "rui@acme.example").active is False
    again = cli("users", "reactivate", "rui@acme.example", db=db)
    assert again.returncode == 0 and "reactivated" in again.stdout and _row(db, "rui@acme.example").active is True


def test_the_last_admin_and_an_unknown_address_are_one_line_errors(db):  # noqa: F811
    _partner_with_two(db)
    last = cli("users", "deactivate", "boss@acme.example", db=db)
    assert last.returncode == 2 and "last active Referrals admin" in last.stderr and "Traceback" not in last.stderr
    unknown = cli("users", "deactivate", "nobody@acme.example", db=db)
    assert unknown.returncode == 2 and "No user with the email nobody@acme.example" in unknown.stderr


def test_an_operator_sets_and_clears_a_notification_address(db):  # noqa: F811
    _partner_with_two(db)
    done = cli("users", "set", "rui@acme.example", "--notification-email", "desk@acme.example", "--json", db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"email": "rui@acme.example", "notification_email": "desk@acme.example"}
    assert _row(db, "rui@acme.example").notification_email == "desk@acme.example"
    bad = cli("users", "set", "rui@acme.example", "--notification-email", "not an address", db=db)
    assert bad.returncode == 2 and "notification_email" in bad.stderr
    cleared = cli("users", "set", "rui@acme.example", "--notification-email", "", db=db)
    assert cleared.returncode == 0 and "their sign-in address" in cleared.stdout
    assert _row(db, "rui@acme.example").notification_email is None
