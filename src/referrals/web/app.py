"""The FastAPI application factory."""

from fastapi import APIRouter
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from referrals import __version__, secret_key
from referrals.config import Settings, get_settings
from referrals.store.db import make_engine
from referrals.store.replica import CHECK_INTERVAL, ReadRouter, make_replica_engine
from referrals.web import errors, freshness, readiness
from referrals.web import metrics as metrics_web
from referrals.web.api import (
    action_center,
    actions,
    assignment,
    directory,
    inbound,
    ingest,
    insights,
    leads,
    outbox,
    partner,
)
from referrals.web.api import bulk as bulk_api
from referrals.web.api import imports as imports_api
from referrals.web.api import me as me_api
from referrals.web.api import privacy as privacy_api
from referrals.web.api import quality as quality_api
from referrals.web.api import team as team_api
from referrals.web.api import views as views_api
from referrals.web.api import webhook_registration as webhook_registration_api
from referrals.web.api import webhooks as webhooks_api
from referrals.web.bodylimit import BodyLimit
from referrals.web.compat import referrals as referrals_compat
from referrals.web.freshness import ReadYourWrites
from referrals.web.headers import SecurityHeaders, wrap_outermost
from referrals.web.kick import KickOutboxAfterWrites
from referrals.web.pages import register_pages
from referrals.web.pages.imports import PAGE_PATHS as IMPORT_PAGES
from referrals.web.ratelimit import CONTACT_RATE, INBOUND_RATE, RESET_RATE, Limiters
from referrals.web.ratelimit_signin import SignInLimiter
from referrals.web.requestid import RequestId
from referrals.web.session import api_session_principal


def api_router() -> APIRouter:
    api = APIRouter(prefix="/api/v1")
    api.include_router(bulk_api.router)  # /leads/bulk/... before /leads/{lead_id}/...
    api.include_router(imports_api.router)  # /leads/import/... before /leads/{lead_id}/...
    api.include_router(leads.router)  # static /leads/... paths before /leads/{lead_id}/...
    api.include_router(ingest.router)
    api.include_router(actions.router)
    api.include_router(partner.router)
    api.include_router(me_api.router)
    api.include_router(team_api.router)
    api.include_router(assignment.router)
    api.include_router(action_center.router)
    api.include_router(outbox.router)
    api.include_router(directory.router)
    api.include_router(insights.router)
    api.include_router(views_api.router)
    api.include_router(quality_api.router)
    api.include_router(privacy_api.router)
    api.include_router(webhooks_api.router)
    return api


def read_router(settings: Settings, engine: Engine) -> ReadRouter | None:
    if not settings.database_read_url:
        return None
    return ReadRouter(engine, make_replica_engine(settings.database_read_url), settings.read_max_lag_seconds)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPIOffline:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    # One key for every process on this database, found once here (not per process, not per request).
    settings = settings.model_copy(update={"secret_key": secret_key.resolve(settings.secret_key,
                                                                            settings.database_url)})
    app = FastAPIOffline(
        title="Referrals",
        version=__version__,
        description="Partner referral workspace: leads routed from a program to its partners.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_router = read_router(settings, engine)  # None: every read on `engine`
    app.state.fresh_seconds = freshness.window(settings.read_max_lag_seconds, CHECK_INTERVAL)
    limiters = Limiters(settings.redis_url, settings.rate_limit_prefix)  # memory, or Redis shared by processes
    app.state.inbound_limiter = limiters.limit("inbound", INBOUND_RATE)  # per inbound key
    app.state.directory_limiter = limiters.limit("contact", CONTACT_RATE)  # per client address
    app.state.password_limiter = limiters.limit("password", RESET_RATE)  # per client address
    app.state.signin_limiter = SignInLimiter(limiters, settings.login_rate_limit, settings.login_address_rate_limit)
    app.state.session_principal = api_session_principal  # the API also accepts the pages' session cookie
    app.state.kick_outbox = None  # `referrals serve` installs the job queue's outbox kick here
    errors.install(app)
    app.add_exception_handler(imports_api.UnsupportedCsv, imports_api.unsupported)  # type: ignore[arg-type]
    imports_limits = imports_api.import_limits(settings, imports_api.IMPORT_PATHS + IMPORT_PAGES)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=imports_limits)
    app.include_router(api_router())
    app.include_router(inbound.router)
    app.include_router(referrals_compat.router)  # the vendor's Referrals API, /v1.0/engagements/referrals
    app.include_router(webhook_registration_api.router)
    register_pages(app)

    app.include_router(readiness.router)  # /healthz, /readyz
    app.include_router(metrics_web.router)  # /metrics
    app.state.readiness_probes = readiness.probes_for(engine, settings.redis_url)

    app.add_middleware(KickOutboxAfterWrites)
    if app.state.read_router is not None:
        app.add_middleware(ReadYourWrites, seconds=app.state.fresh_seconds, https=settings.base_url.startswith("https"))
    https = settings.base_url.startswith("https://")
    # outermost first: the request id, then the timing, so both see every answer (the bare 500s included)
    wrap_outermost(app, lambda stack: RequestId(metrics_web.RequestMetrics(SecurityHeaders(stack, https=https))))
    return app
