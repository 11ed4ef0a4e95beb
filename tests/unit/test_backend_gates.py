"""The suite's own guard: a missing backend skips with a reason, and under REFERRALS_TEST_STRICT=1 it fails,
so a green strict run means SQLite, PostgreSQL and the browser really ran."""

from pathlib import Path

import pytest

import tests.conftest as shared

pytest_plugins = ["pytester"]

# The inner run uses the shared conftest's hooks and fixtures, imported rather than copied.
INNER_CONFTEST = """
from tests.conftest import (
    _postgres_engine, _sqlite_template, engine, module_engine,
    pytest_collection_modifyitems, pytest_runtest_makereport, pytest_runtest_setup,
)
"""

GATED = """
import pytest

def test_on_each_backend(engine):
    assert engine.dialect.name in ("sqlite", "postgresql")

@pytest.mark.browser
def test_in_a_browser():
    pass
"""


@pytest.fixture
def gated(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A test needing every backend, where PostgreSQL is not configured and Chromium is not installed."""
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    postgres: x\n    browser: x\n")
    pytester.makepyfile(test_gated=GATED)
    monkeypatch.delenv(shared.POSTGRES_URL_ENV, raising=False)
    monkeypatch.delenv(shared.STRICT_ENV, raising=False)
    monkeypatch.setattr(shared, "CHROMIUM", Path(pytester.path / "no-chromium-here"))
    return pytester


def test_a_missing_backend_is_skipped_with_its_reason(gated):
    result = gated.runpytest_inprocess("-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([
        "*missing backend: postgres (set REFERRALS_TEST_POSTGRES_URL*",
        "*missing backend: browser*",
    ])


def test_under_strict_a_missing_backend_fails_the_run(gated, monkeypatch):
    monkeypatch.setenv(shared.STRICT_ENV, "1")
    result = gated.runpytest_inprocess("-rs")
    result.assert_outcomes(passed=1, errors=2)
    assert result.ret != 0
    assert str(result.stdout).count("REFERRALS_TEST_STRICT=1 forbids skipping a backend") >= 2


def test_under_strict_a_skip_for_a_missing_backend_raised_elsewhere_also_fails(gated, monkeypatch):
    # given a test that skips itself for a missing backend without the helper
    gated.makepyfile(test_other="""
import pytest

@pytest.mark.skipif(True, reason="missing backend: redis (not running)")
def test_needs_redis():
    pass
""")
    monkeypatch.setenv(shared.STRICT_ENV, "1")
    result = gated.runpytest_inprocess("test_other.py")
    result.assert_outcomes(errors=1)
    assert result.ret != 0
