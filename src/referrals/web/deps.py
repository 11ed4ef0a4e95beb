"""Typed dependencies the routes stand on: the engine, the clock, who is asking and what they may do,
and "this lead of this partner, or 404". Tenant scoping and role checks live here and in the services,
never in a route body.

Who is asking comes from an `Authorization: Bearer` API token, or else from the session resolver
create_app installs as `app.state.session_principal` (the pages' session, web.session: a callable
(request, engine, now) -> Principal | None that also checks CSRF on unsafe methods). Without either, the answer
is 401. A revoked or expired token, or an ended or expired session, is nobody.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from referrals.config import Settings
from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden
from referrals.services.auth import principal_for_token
from referrals.services.reading import LeadDetail, get_lead
from referrals.web import freshness
from referrals.web.errors import Unauthenticated
from referrals.web.ratelimit import Limit
from referrals.web.ratelimit_signin import SignInLimiter

SessionResolver = Callable[[Request, Engine, datetime], Principal | None]

_bearer = HTTPBearer(
    auto_error=False, description="An API token from `referrals tokens create EMAIL`.", scheme_name="token"
)


# Dependencies that do no I/O are `async def`: FastAPI runs each plain `def` dependency in its thread pool, one
# thread hop per dependency per request. Those that read the database (get_principal) stay plain functions.


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def utc_now() -> datetime:
    return datetime.now(UTC)


async def get_now() -> datetime:
    """The one clock of the web edge, for the API and the pages alike; tests override it through
    app.dependency_overrides."""
    return utc_now()


async def get_read_engine(request: Request) -> Engine:
    """Where lists, counts, exports, insights and directory searches read: the replica when one is configured, up
    and fresh enough (store/replica.py), else the primary; always the primary for a client that has just written
    (web/freshness.py). Everything else, and every read that must see the writer's own change (a lead before an
    action, its etag), takes `EngineDep`."""
    router = request.app.state.read_router
    if router is None or freshness.wants_primary(request, request.app.state.fresh_seconds):
        return request.app.state.engine
    return await run_in_threadpool(router.engine)  # at most one check a second, a short timeout


EngineDep = Annotated[Engine, Depends(get_engine)]
ReadEngineDep = Annotated[Engine, Depends(get_read_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Now = Annotated[datetime, Depends(get_now)]


async def get_signin_limiter(request: Request) -> SignInLimiter:
    return request.app.state.signin_limiter


async def get_directory_limiter(request: Request) -> Limit:
    return request.app.state.directory_limiter


async def get_password_limiter(request: Request) -> Limit:
    return request.app.state.password_limiter


# Both key on web.client.client_address (the peer, or X-Forwarded-For from REFERRALS_TRUSTED_PROXIES only).
SignInLimiterDep = Annotated[SignInLimiter, Depends(get_signin_limiter)]  # per address, per email and address
DirectoryLimiter = Annotated[Limit, Depends(get_directory_limiter)]  # the Contact me form, per address
PasswordLimiter = Annotated[Limit, Depends(get_password_limiter)]  # forgotten-password and reset posts, per address


def get_principal(
    request: Request,
    engine: EngineDep,
    now: Now,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is not None:
        principal = principal_for_token(engine, credentials.credentials, now)
        if principal is None:
            raise Unauthenticated("The API token is unknown, revoked or expired.")
        return principal
    resolver: SessionResolver | None = getattr(request.app.state, "session_principal", None)
    principal = resolver(request, engine, now) if resolver else None
    if principal is None:
        raise Unauthenticated("Sign in, or send an API token as `Authorization: Bearer <token>`.")
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def _lead_reader(principal: CurrentUser) -> Principal:
    principal.partner_scope()
    return principal


async def _lead_admin(principal: CurrentUser) -> Principal:
    principal.partner_scope(acting=True)
    return principal


async def _program_staff(principal: CurrentUser) -> Principal:
    principal.require(Role.PROGRAM_ADMIN, Role.PROGRAM_SELLER)
    return principal


async def _partner_member(principal: CurrentUser) -> Principal:
    if principal.partner_id is None:
        raise Forbidden("This is for a partner's own users.")
    return principal


LeadReader = Annotated[Principal, Depends(_lead_reader)]  # Referrals admin or user
LeadAdmin = Annotated[Principal, Depends(_lead_admin)]  # Referrals admin
ProgramStaff = Annotated[Principal, Depends(_program_staff)]  # program admin or seller
PartnerMember = Annotated[Principal, Depends(_partner_member)]  # any role of a partner


def load_partner_lead(lead_id: str, principal: LeadReader, engine: EngineDep) -> LeadDetail:
    """The lead with this id of the caller's partner: unknown ids and other partners' ids are both 404."""
    return get_lead(engine, principal, lead_id)


PartnerLead = Annotated[LeadDetail, Depends(load_partner_lead)]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The lead's etag as last read; a stale one answers 412."),
]
