"""`create_app` for the tests, without paying for the routers on every test.

Building the app costs about 0.2 s of CPU, nearly all of it FastAPI analysing every included route (its
parameters, bodies and response models); about a thousand tests each build one. The routes are the same for
every app, so a worker builds them once per settings and each test's app gets them from there:

- `create_app` itself builds the app (its settings and secret key, state, limiters, exception handlers,
  middleware, /healthz on the test's engine, the documentation routes), with `include_router` skipped;
- the routers included by a complete app built once with the same settings (the "template") are put back in
  their places, so the route table is the complete app's, in its order.

The included routes look up `dependency_overrides` on the app they were built for, so the template's overrides
become this app's (the same dict). One app per template at a time: a test that builds a second app with the
same settings gets a completely fresh one, and each test's app is released when the test ends (`release`,
called by an autouse fixture). A template whose structure changed, or whose routers have startup or shutdown
handlers, is never used. `REFERRALS_TEST_FRESH_APPS=1` builds every app the plain way, to compare.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from fastapi import APIRouter
from fastapi.routing import _DefaultLifespan, _IncludedRouter
from sqlalchemy import Engine, create_engine

from referrals.config import Settings
from referrals.web.app import create_app

FRESH_ENV = "REFERRALS_TEST_FRESH_APPS"


@dataclass
class _Template:
    app: object
    routes: list  # the template's route table as built, to notice a test that changed it
    in_use: bool = False


@dataclass
class _Cache:
    templates: dict[str, _Template | None] = field(default_factory=dict)  # None: this settings' app can't share

    def release(self) -> None:
        for template in self.templates.values():
            if template is not None:
                template.in_use = False


_cache = _Cache()


def release() -> None:
    """The apps handed out so far are the tests' no more (called when each test ends)."""
    _cache.release()


def app_for(settings: Settings, engine: Engine):
    """What `create_app(settings, engine=engine)` answers, built mostly from a template of the same settings."""
    if os.environ.get(FRESH_ENV) == "1":
        return create_app(settings, engine=engine)
    key = settings.model_dump_json()
    if key not in _cache.templates:
        _cache.templates[key] = _template(settings)
    template = _cache.templates[key]
    if template is None or template.in_use or not _same(template.app.router.routes, template.routes):
        return create_app(settings, engine=engine)
    with _routers_skipped():
        app = create_app(settings, engine=engine)
    routes = _merged(template.app.router.routes, app.router.routes)
    if routes is None:
        _cache.templates[key] = None
        return create_app(settings, engine=engine)
    app.router.routes[:] = routes
    app.router._mark_routes_changed()  # noqa: SLF001 - FastAPI's own cache key for the route table
    template.app.dependency_overrides = app.dependency_overrides  # the included routes read the template's
    template.in_use = True
    return app


def _same(routes: list, built: list) -> bool:
    return len(routes) == len(built) and all(a is b for a, b in zip(routes, built, strict=True))


def _template(settings: Settings) -> _Template | None:
    app = create_app(settings, engine=create_engine("sqlite://"))
    included = [route for route in app.router.routes if isinstance(route, _IncludedRouter)]
    if app.router.on_startup or app.router.on_shutdown or not all(_plain(r.original_router) for r in included):
        return None
    return _Template(app, list(app.router.routes))


def _plain(router: APIRouter) -> bool:
    """No startup or shutdown handler and no lifespan of its own, nor in any router it includes."""
    if router.on_startup or router.on_shutdown or not _plain_lifespan(router.lifespan_context):
        return False
    return all(_plain(r.original_router) for r in router.routes if isinstance(r, _IncludedRouter))


def _plain_lifespan(lifespan: object) -> bool:
    """FastAPI's default lifespan (which only runs the router's handlers), or its merge of such lifespans."""
    if isinstance(lifespan, _DefaultLifespan):
        return True
    merged = getattr(lifespan, "__wrapped__", None)
    if getattr(merged, "__name__", None) != "merged_lifespan" or not merged.__closure__:
        return False
    return all(_plain_lifespan(cell.cell_contents) for cell in merged.__closure__)


@contextmanager
def _routers_skipped() -> Iterator[None]:
    with mock.patch.object(APIRouter, "include_router", lambda *_args, **_kwargs: None):
        yield


def _merged(complete: list, without_routers: list) -> list | None:
    """The complete route table with this app's own routes in place of the template's, or None when the two
    do not line up (the template's included routers are the only routes the new app lacks)."""
    own = iter(without_routers)
    merged = []
    for route in complete:
        if isinstance(route, _IncludedRouter):
            merged.append(route)
            continue
        mine = next(own, None)
        if mine is None or not _alike(mine, route):
            return None
        merged.append(mine)
    return merged if next(own, None) is None else None


def _alike(mine: object, theirs: object) -> bool:
    return type(mine) is type(theirs) and all(getattr(mine, name, None) == getattr(theirs, name, None)
                                              for name in ("path", "methods", "name"))
