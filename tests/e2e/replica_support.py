"""A real PostgreSQL primary with its streaming replica (bench/pgcluster.py), migrated, with a partner, its
Referrals admin (a password and an API token) and a program seller's token; and the HTTP calls the replica tests
make against `referrals serve`."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import psycopg

from referrals.domain.enums import Role
from referrals.services.directory_admin import add_partner, add_user, create_token
from referrals.store.db import make_engine
from referrals.store.migrate import upgrade
from tests.e2e.served import environment

PASSWORD = "correct horse battery"
SECRET = "replica-tests-secret-key-0123456789"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Program:
    env: dict[str, str]
    partner_id: str
    admin_token: str
    seller_token: str

    def serving_env(self, replica_url: str, max_lag: float) -> dict[str, str]:
        return {**self.env, "REFERRALS_DATABASE_READ_URL": replica_url,
                "REFERRALS_READ_MAX_LAG_SECONDS": str(max_lag)}


def set_up_program(primary_url: str) -> Program:
    """In this process, through the services (each `referrals` command would start an interpreter)."""
    engine = make_engine(primary_url)
    try:
        upgrade(engine)
        now = datetime.now(UTC)
        partner = add_partner(engine, "Replica Partners", country="IT", now=now)
        add_user(engine, "admin@replica.example", partner_id=partner.id, roles=[Role.REFERRALS_ADMIN],
                 password=PASSWORD, now=now)
        add_user(engine, "seller@program.example", partner_id=None, roles=[Role.PROGRAM_SELLER], password=None,
                 now=now)
        admin = create_token(engine, "admin@replica.example", now=now)
        seller = create_token(engine, "seller@program.example", now=now)
    finally:
        engine.dispose()
    return Program(environment(primary_url, REFERRALS_SECRET_KEY=SECRET), partner.id, admin, seller)


def create_lead(url: str, program: Program, company: str) -> str:
    body = {"partner_id": program.partner_id, "qualification": "sales", "source": "azure_portal",
            "customer": {"company": company, "last_name": "Rossi", "email": "g@fabrikam.it"},
            "message": "40 seats", "customer_requested_contact": True}
    created = httpx.post(f"{url}/api/v1/leads", json=body, headers=_bearer(program.seller_token), timeout=10)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def listed_ids(url: str, program: Program, **params: str) -> list[str]:
    """The ids on the first page of the admin's qualified leads, by API token (a client without cookies)."""
    answer = httpx.get(f"{url}/api/v1/leads", params={"tab": "qualified", **params},
                       headers=_bearer(program.admin_token), timeout=10)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def lead_detail(url: str, program: Program, lead_id: str) -> httpx.Response:
    return httpx.get(f"{url}/api/v1/leads/{lead_id}", headers=_bearer(program.admin_token), timeout=10)


def pause_replay(replica_url: str, paused: bool) -> None:
    with psycopg.connect(replica_url, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def signed_in_browser(url: str) -> httpx.Client:
    """A browser-like client (it keeps cookies) signed in on the pages as the partner's admin."""
    browser = httpx.Client(base_url=url, follow_redirects=False, timeout=10)
    token = _CSRF.search(browser.get("/signin").text).group(1)
    signed = browser.post("/signin", data={"email": "admin@replica.example", "password": PASSWORD,
                                           "csrf_token": token})
    assert signed.status_code == 303, signed.text
    return browser


def csrf_of(page: httpx.Response) -> str:
    return _CSRF.search(page.text).group(1)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
