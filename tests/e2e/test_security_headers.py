"""Security headers on every answer: a page, an API answer, an error (a problem, and the bare 500 of an
unhandled error), a static file and the offline /docs, whose inline script is allowed by its hash alone."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from referrals.config import Settings
from referrals.web.app import create_app
from referrals.web.headers import PAGE_POLICY

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "referrals" / "web" / "templates"
FIXED = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}


def assert_secured(response, policy: str = PAGE_POLICY) -> None:
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, name
    assert response.headers.get("content-security-policy") == policy
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]


def test_a_page_carries_the_security_headers(client):
    response = client.get("/signin")
    assert response.status_code == 200
    assert_secured(response)
    assert "strict-transport-security" not in response.headers  # plain http: nothing to pin


def test_an_api_answer_carries_the_security_headers(client, partner_a):
    response = client.get("/api/v1/leads", headers=partner_a.reader.headers)
    assert response.status_code == 200
    assert_secured(response)


def test_error_answers_carry_the_security_headers(client, partner_a):
    missing = client.get("/api/v1/leads/nope", headers=partner_a.reader.headers)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert_secured(missing)
    assert_secured(client.get("/api/v1/leads"))  # 401
    assert_secured(client.get("/no/such/page"))  # 404 of the router


def test_the_bare_500_of_an_unhandled_error_carries_the_security_headers(app):
    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("unhandled")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert_secured(response)


def test_static_files_carry_the_security_headers(client):
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert_secured(response)


def test_the_docs_allow_their_own_inline_script_by_hash_and_nothing_else_inline(client):
    response = client.get("/docs")
    assert response.status_code == 200
    [inline] = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()
    assert script_src == ["'self'", f"'sha256-{digest}'"]
    assert "frame-ancestors 'none'" in policy
    for name, value in FIXED.items():
        assert response.headers[name] == value
    redirect = client.get("/docs/oauth2-redirect")
    assert re.search(r"'sha256-[A-Za-z0-9+/=]+'", redirect.headers["content-security-policy"])


def test_an_https_base_url_adds_strict_transport_security(engine):
    settings = Settings(database_url="sqlite://", base_url="https://referrals.example.com")
    with TestClient(create_app(settings, engine=engine)) as client:
        for path in ("/signin", "/api/v1/leads", "/docs"):
            assert client.get(path).headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_runs_inline_script_or_style(template):
    """The pages' policy allows only this origin's files: behaviour lives in static/app.js, looks in app.css."""
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=|<style", html), "inline style"
    assert "javascript:" not in html
