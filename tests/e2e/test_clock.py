"""The web edge's one clock: the real time unless a test overrides it, for the API and the pages alike."""

from datetime import UTC, datetime
from types import SimpleNamespace

from referrals.config import Settings
from referrals.web.app import create_app
from referrals.web.deps import get_now
from referrals.web.pages.base import clock


def test_the_pages_clock_is_the_real_time_without_an_override(engine):
    app = create_app(Settings(database_url="sqlite://"), engine=engine)
    before = datetime.now(UTC)
    now = clock(SimpleNamespace(app=app))
    assert isinstance(now, datetime) and before <= now <= datetime.now(UTC)


def test_an_override_moves_the_pages_clock_too(engine):
    app = create_app(Settings(database_url="sqlite://"), engine=engine)
    later = datetime(2030, 1, 1, tzinfo=UTC)
    app.dependency_overrides[get_now] = lambda: later
    assert clock(SimpleNamespace(app=app)) == later
