"""The web edge's one clock: the real time unless a test overrides it, for the API and the pages alike.
The pages ask for it as the API does (web.deps.Now); the export's file name shows the time they were given."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.e2e.pages_support import Browser, add_person


def export_stamp(app, engine: Engine) -> datetime:
    tenant = factories.add_tenant(engine)
    add_person(engine, tenant.partner_id, Role.REFERRALS_USER, email="rui@contoso.example")
    browser = Browser(app)
    browser.enter_as(engine, "rui@contoso.example")
    response = browser.get("/leads/export.csv")
    assert response.status_code == 200, response.text
    stamp = re.search(r'filename="leads-(\d{8}-\d{4})\.csv"', response.headers["content-disposition"]).group(1)
    return datetime.strptime(stamp, "%Y%m%d-%H%M").replace(tzinfo=UTC)


def test_the_pages_clock_is_the_real_time_without_an_override(engine: Engine):
    app = create_app(Settings(database_url="sqlite://", secret_key="test-secret-key-0123456789"), engine=engine)
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    stamp = export_stamp(app, engine)
    assert before <= stamp <= datetime.now(UTC) + timedelta(minutes=1)


def test_an_override_moves_the_pages_clock_too(engine: Engine):
    app = create_app(Settings(database_url="sqlite://", secret_key="test-secret-key-0123456789"), engine=engine)
    app.dependency_overrides[get_now] = lambda: datetime(2030, 1, 1, 12, 34, tzinfo=UTC)
    assert export_stamp(app, engine) == datetime(2030, 1, 1, 12, 34, tzinfo=UTC)
