"""tests/apps.py hands each test the app `create_app` would build: the same route table in the same order, the
same OpenAPI document, state of its own on the test's engine; a second app in one test shares nothing."""

from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient

from referrals.config import Settings
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import apps

SETTINGS = Settings(database_url="sqlite://", secret_key="app-cache-test-key-0123456789")


def table(app) -> list[tuple]:
    return [(type(route).__name__, getattr(route, "path", None), sorted(getattr(route, "methods", None) or ()))
            for route in app.routes]


def test_the_shared_routers_make_the_same_app_as_create_app(engine):
    apps.app_for(SETTINGS, engine)  # the first of these settings may build the template
    apps.release()
    shared, fresh = apps.app_for(SETTINGS, engine), create_app(SETTINGS, engine=engine)

    assert table(shared) == table(fresh)
    with TestClient(shared) as client, TestClient(fresh) as fresh_client:
        assert client.get("/openapi.json").json() == fresh_client.get("/openapi.json").json()
        for path in ("/healthz", "/signin", "/static/app.css", "/api/v1/leads", "/no-such-page"):
            mine, theirs = client.get(path), fresh_client.get(path)
            assert (mine.status_code, mine.headers.get("content-security-policy")) == \
                   (theirs.status_code, theirs.headers.get("content-security-policy")), path
    assert shared.state.engine is engine and shared.state.inbound_limiter is not fresh.state.inbound_limiter


def test_two_apps_in_one_test_share_neither_state_nor_overrides(engine):
    first, second = apps.app_for(SETTINGS, engine), apps.app_for(SETTINGS, engine)
    first.dependency_overrides[get_now] = lambda: "first"

    assert second.dependency_overrides == {}
    assert first.state is not second.state
    assert first.state.signin_limiter is not second.state.signin_limiter
    first_routers = {id(route) for route in first.routes}
    assert not first_routers & {id(route) for route in second.routes}


def test_an_app_after_the_test_that_changed_its_overrides_starts_without_them(engine):
    first = apps.app_for(SETTINGS, engine)
    first.dependency_overrides[get_now] = lambda: "first"
    apps.release()

    later = apps.app_for(SETTINGS, engine)

    assert later.dependency_overrides == {} and later.state is not first.state
    for route in later.routes:  # what the included routes consult when they resolve a dependency
        if isinstance(route, _IncludedRouter):
            assert route.include_context.dependency_overrides_provider.dependency_overrides is \
                later.dependency_overrides
