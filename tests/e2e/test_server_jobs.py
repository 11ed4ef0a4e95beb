"""`referrals serve` runs the job worker inside the server: a lead posted over HTTP reaches the partner's
inbox through the outbox within seconds, with no other process running."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.smtp import SmtpServer, free_port

REFERRALS = str(Path(sys.executable).with_name("referrals"))


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def run(*args: str, env: dict) -> str:
    result = subprocess.run([REFERRALS, *args], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_lead_posted_to_a_running_server_is_emailed_by_its_embedded_worker(tmp_path, smtp):
    env = {**os.environ, "REFERRALS_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
           "REFERRALS_SMTP_HOST": "127.0.0.1", "REFERRALS_SMTP_PORT": str(smtp.port),
           "REFERRALS_BASE_URL": "https://referrals.example.com"}
    run("migrate", env=env)
    partner = json.loads(run("partners", "add", "Live Partners", "--country", "IT", "--json", env=env))
    run("users", "add", "admin@live.example", "--partner", partner["id"], "--role", "referrals-admin", env=env)
    run("users", "add", "seller@program.example", "--program", "--role", "program-seller", env=env)
    token = json.loads(run("tokens", "create", "seller@program.example", "--json", env=env))["token"]
    port = free_port()
    server = subprocess.Popen([REFERRALS, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        body = {"partner_id": partner["id"], "qualification": "sales", "source": "azure_portal",
                "customer": {"company": "Fabrikam Srl", "last_name": "Rossi", "email": "g@fabrikam.it"},
                "message": "40 seats", "customer_requested_contact": True}
        created = httpx.post(f"{base}/api/v1/leads", json=body, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201, created.text

        deadline = time.monotonic() + 30
        while not smtp.recorder.messages and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(20)

    [message] = smtp.recorder.messages
    assert message["To"] == "admin@live.example"
    assert f"https://referrals.example.com/leads/{created.json()['id']}" in message.get_body(("plain",)).get_content()
