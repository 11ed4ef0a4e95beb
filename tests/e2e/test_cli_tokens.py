"""`referrals tokens create|list|revoke`, run as a real process against each database."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Role
from referrals.services.auth import principal_for_token
from tests import factories
from tests.e2e.test_cli import cli

EMAIL = "ada@contoso.example"


@pytest.fixture
def db(engine: Engine) -> str:
    tenant = factories.add_tenant(engine, "Contoso Consulting")
    factories.add_principal(engine, tenant.partner_id, Role.REFERRALS_ADMIN, email=EMAIL)
    return engine.url.render_as_string(hide_password=False)


def create(db: str, *args: str) -> dict:
    result = cli("tokens", "create", EMAIL, *args, "--json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def works(engine: Engine, token: str) -> bool:
    return principal_for_token(engine, token, datetime.now(UTC)) is not None


def test_tokens_list_shows_the_prefix_and_never_the_token(db: str):
    first = create(db, "--name", "crm sync")
    second = create(db, "--name", "reports", "--expires-in-days", "30")

    listed = cli("tokens", "list", EMAIL, db=db)
    as_json = json.loads(cli("tokens", "list", EMAIL, "--json", db=db).stdout)

    assert listed.returncode == 0, listed.stderr
    header, *lines = listed.stdout.strip().splitlines()
    assert header.split("\t") == ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "state"]
    assert len(lines) == 2
    for made in (first, second):
        assert made["prefix"] == made["token"][:16] and made["prefix"] in listed.stdout
        assert made["token"] not in listed.stdout and made["token"] not in json.dumps(as_json)
    by_id = {row["id"]: row for row in as_json}
    assert by_id[first["id"]]["name"] == "crm sync" and by_id[first["id"]]["expires_at"] is None
    expires = datetime.fromisoformat(by_id[second["id"]]["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - datetime.now(UTC) - timedelta(days=30)) < timedelta(minutes=5)
    assert {row["state"] for row in as_json} == {"active"}


def test_tokens_revoke_by_prefix(db: str, engine: Engine):
    kept, gone = create(db), create(db)
    result = cli("tokens", "revoke", gone["prefix"], db=db)
    assert result.returncode == 0, result.stderr
    assert gone["id"] in result.stdout
    assert not works(engine, gone["token"]) and works(engine, kept["token"])
    states = {row["id"]: row["state"] for row in json.loads(cli("tokens", "list", EMAIL, "--json", db=db).stdout)}
    assert states == {kept["id"]: "active", gone["id"]: "revoked"}


def test_tokens_revoke_by_whole_token_and_by_id(db: str, engine: Engine):
    by_token, by_id = create(db), create(db)
    assert cli("tokens", "revoke", by_token["token"], db=db).returncode == 0
    assert cli("tokens", "revoke", by_id["id"], "--json", db=db).returncode == 0
    assert not works(engine, by_token["token"]) and not works(engine, by_id["token"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tokens", "revoke", "rfl_nosuchtoken0000"), "No token 'rfl_nosuchtoken0000'"),
        (("tokens", "list", "nobody@example.com"), "No user with the email nobody@example.com"),
        (("tokens", "create", EMAIL, "--expires-in-days", "0"), "lifetime must be between 1 and 3650 days"),
    ],
)
def test_bad_token_commands_get_a_one_line_error(db: str, args, message):
    result = cli(*args, db=db)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
