"""The shipped nginx configuration, run in front of a real `referrals serve`: TLS to the application, the redirect
from plain HTTP, nginx's own static files, the 2 MB body limit, and the imports' larger one that lets a big CSV
through to the application."""

import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.served import environment, referrals, serving
from tests.nginx_support import command, configure, needs_nginx
from tests.smtp import free_port


@pytest.fixture
def behind_nginx(tmp_path: Path):
    env = environment(f"sqlite:///{tmp_path / 'referrals.db'}", REFERRALS_TRUSTED_PROXIES="127.0.0.1")

    referrals("migrate", env=env)
    with serving(env, tmp_path / "logs") as server:
        plain, tls = free_port(), free_port()
        main = configure(tmp_path, **{
            "server 127.0.0.1:8000": f"server 127.0.0.1:{server.url.rsplit(':', 1)[1]}",
            "listen 80;": f"listen 127.0.0.1:{plain};", "listen [::]:80;": "",
            "listen 443 ssl;": f"listen 127.0.0.1:{tls} ssl;", "listen [::]:443 ssl;": "",
        })
        nginx = subprocess.Popen(command(main, "-g", "daemon off;"), stderr=subprocess.PIPE, text=True)
        try:
            trusting = ssl.create_default_context(cafile=tmp_path / "cert.pem")  # the test's own certificate
            _wait_for(tls, nginx, trusting)
            yield f"http://127.0.0.1:{plain}", f"https://127.0.0.1:{tls}", trusting
        finally:
            nginx.terminate()
            nginx.wait(20)


def _wait_for(port: int, nginx: subprocess.Popen, trusting: ssl.SSLContext) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            raise RuntimeError(f"nginx exited: {nginx.stderr.read()}")
        try:
            httpx.get(f"https://127.0.0.1:{port}/healthz", verify=trusting, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not start within 20 s")


@needs_nginx
def test_nginx_passes_requests_to_the_application_and_keeps_its_limits(behind_nginx):
    plain, tls, trusting = behind_nginx
    host = {"Host": "referrals.example.com"}
    with httpx.Client(base_url=tls, verify=trusting, headers=host, timeout=30) as client:
        assert client.get("/healthz").json()["status"] == "ok"  # through TLS and the upstream
        static = client.get("/static/app.css")
        assert static.status_code == 200 and static.headers["server"].startswith("nginx")
        assert static.headers["content-security-policy"].startswith("default-src 'none'")  # nginx's, not the app's
        big = b"x" * 3_000_000
        refused = client.post("/api/v1/leads", content=big, headers={"Content-Type": "application/json"})
        assert refused.status_code == 413 and "nginx" in refused.text  # stopped before the application
        imported = client.post("/api/v1/leads/import", content=big, headers={"Content-Type": "text/csv"})
        assert imported.status_code == 401 and imported.headers["content-type"] == "application/problem+json"
    redirect = httpx.get(f"{plain}/leads", headers=host)
    assert redirect.status_code == 301 and redirect.headers["location"] == "https://referrals.example.com/leads"
