"""The same API over real HTTP: a `python -m uvicorn --factory` server on a free port, with a temporary
SQLite database named by REFERRALS_DATABASE_URL (as `make run` configures it)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from referrals.domain.enums import Role
from referrals.store.db import make_engine
from referrals.store.migrate import upgrade
from tests.e2e.conftest import Partner, User, accept_body, new_lead_body, partner, user


@dataclass(frozen=True)
class Server:
    url: str
    seller: User
    partner: Partner


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start within 20 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('server') / 'referrals.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    world = partner(engine, "Contoso Consulting")
    seller = user(engine, None, Role.PROGRAM_SELLER)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "REFERRALS_DATABASE_URL": db_url, "REFERRALS_MAX_BODY_BYTES": "100000"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "referrals.web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Server(url, seller, world)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_over_http_a_seller_sends_a_lead_and_the_partner_accepts_it(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        created = http.post("/api/v1/leads", headers=server.seller.headers, json=new_lead_body(server.partner.id))
        assert created.status_code == 201, created.text
        lead_id = created.json()["id"]
        listed = http.get("/api/v1/leads", headers=server.partner.reader.headers).json()
        assert lead_id in [item["id"] for item in listed["items"]]
        accepted = http.post(f"/api/v1/leads/{lead_id}/accept", headers=server.partner.admin.headers,
                             json=accept_body(server.partner.admin.id, estimated_purchase_date=_in_90_days()))
        assert accepted.status_code == 200 and accepted.headers["etag"] == accepted.json()["etag"]
        export = http.get("/api/v1/leads/export.csv", headers=server.partner.reader.headers)
        assert export.text.startswith("LeadId,LeadCreationDateTime") and lead_id in export.text


def test_over_http_the_marketplace_posts_its_payload(server):
    payload = {"UserDetails": {"FirstName": "Some", "LastName": "One", "Email": "someone@contoso.com",
                               "Country": "USA", "Company": "Contoso"},
               "LeadSource": "AzureMarketplace-INS|publisher.offer", "ActionCode": "INS",
               "OfferTitle": "Contoso CRM", "Description": "Installed."}
    url = f"{server.url}/inbound/marketplace/{server.partner.tenant.inbound_key}"
    first, again = httpx.post(url, json=payload), httpx.post(url, json=payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["lead_id"] == again.json()["lead_id"]
    bad = httpx.post(url, json={**payload, "ActionCode": "XYZ"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


def test_over_http_refusals_are_problems(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/api/v1/leads").json()["code"] == "unauthenticated"
        assert http.get("/api/v1/leads/nope", headers=server.partner.admin.headers).status_code == 404
        big = http.post("/api/v1/leads", headers=server.seller.headers, content=b"x" * 200_000)
        assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
        assert http.get("/openapi.json").json()["info"]["title"] == "Referrals"


def _in_90_days() -> str:
    """A purchase date the real server's clock accepts (on or after today in the partner's time zone)."""
    return (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
