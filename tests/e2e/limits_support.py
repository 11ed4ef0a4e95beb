"""Helpers for the tests of limits: a browser at a given client address, the app as `referrals serve` runs it
under uvicorn, and a Redis key prefix of the test's own."""

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from referrals.cli.serve import serve
from tests.conftest import skip_missing_backend
from tests.e2e.pages_support import Browser

REDIS_URL = os.environ.get("REFERRALS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def browser_at(app, address: str) -> Browser:
    """A browser of its own (cookies and all) whose connection comes from `address`."""
    browser = Browser(app)
    browser.client = TestClient(app, follow_redirects=False, client=(address, 50000))
    return browser


def as_served(app, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The app as `referrals serve` hands it to uvicorn, with whatever uvicorn wraps around it for the options
    serve passes (by default uvicorn believes X-Forwarded-For from loopback)."""
    options: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kwargs: options.update(kwargs))
    monkeypatch.setenv("REFERRALS_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("REFERRALS_SECRET_KEY", "test-secret-key-0123456789")
    serve(host="127.0.0.1", port=8000, no_worker=True, db=f"sqlite:///{tmp_path / 'served.db'}")
    proxy = {name: options[name] for name in ("proxy_headers", "forwarded_allow_ips") if name in options}
    config = uvicorn.Config(app, log_config=None, **proxy)
    config.load()
    return config.loaded_app


@pytest.fixture(name="redis_prefix")
def redis_prefix_fixture() -> Iterator[str]:
    """A key prefix of the test's own in the Redis at REFERRALS_TEST_REDIS_URL; its keys go when the test ends."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_missing_backend("redis", f"{REDIS_URL}: {error}")
    prefix = f"referrals-test-{secrets.token_hex(6)}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()
