"""The session key of `referrals serve`: without REFERRALS_SECRET_KEY, the processes on one SQLite file share a
key generated once beside it, so a session survives a restart and is good on every web process; PostgreSQL and
servers reachable from other machines refuse to start without the key."""

import re

import httpx

from tests.e2e.served import environment, referrals, serving
from tests.smtp import free_port

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _signed_in_cookie(url: str, email: str) -> str:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=10) as browser:
        form = browser.get("/signin")
        token = _CSRF.search(form.text).group(1)
        signed = browser.post("/signin", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert signed.status_code == 303 and signed.headers["location"] == "/leads", signed.text
        return browser.cookies["referrals_session"]


def test_two_servers_on_one_sqlite_file_accept_each_others_session_without_a_configured_key(tmp_path):
    db = tmp_path / "referrals.db"
    env = environment(f"sqlite:///{db}")
    referrals("migrate", env=env)
    partner = referrals("partners", "add", "Contoso Consulting", "--country", "IT", "--json", env=env).stdout
    partner_id = re.search(r'"id": "([^"]+)"', partner).group(1)
    referrals("users", "add", "admin@contoso.example", "--partner", partner_id, "--role", "referrals-admin",
              "--password", PASSWORD, env=env)

    with serving(env, tmp_path / "logs") as first, serving(env, tmp_path / "logs") as second:
        cookie = _signed_in_cookie(first.url, "admin@contoso.example")
        on_second = httpx.get(f"{second.url}/leads", cookies={"referrals_session": cookie})
        assert on_second.status_code == 200, on_second.headers.get("location")
    with serving(env, tmp_path / "logs") as restarted:
        assert httpx.get(f"{restarted.url}/leads", cookies={"referrals_session": cookie}).status_code == 200

    key_file = tmp_path / "referrals.db.secret-key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_serve_on_postgresql_without_a_key_exits_2_saying_how_to_set_it(tmp_path):
    env = environment("postgresql://postgres@127.0.0.1:5432/test")
    result = referrals("serve", "--db", "postgresql://postgres@127.0.0.1:5432/test", "--port", str(free_port()),
                       env=env, check=False, timeout=20)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "REFERRALS_SECRET_KEY is not set" in line and "export REFERRALS_SECRET_KEY=" in line


def test_serve_on_every_interface_without_a_key_exits_2_saying_how_to_set_it(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'referrals.db'}")
    referrals("migrate", env=env)
    # today's refusal comes before binding; a server that started anyway would be stopped by the timeout
    result = referrals("serve", "--host", "0.0.0.0", "--port", str(free_port()), "--no-worker",  # noqa: S104
                       env=env, check=False, timeout=20)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "--host 0.0.0.0" in line and "export REFERRALS_SECRET_KEY=" in line
    assert not (tmp_path / "referrals.db.secret-key").exists()
