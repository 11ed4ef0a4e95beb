"""API fixtures: the app on the shared `engine` (SQLite and PostgreSQL), a settable clock, an in-process
client, API tokens for each kind of user, and partners A and B with leads."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from referrals.config import Settings
from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.services.directory_admin import create_token
from referrals.web.deps import get_now
from tests import apps, factories

MAX_BODY = 64_000


@dataclass
class Clock:
    now: datetime = factories.NOW


@dataclass(frozen=True)
class User:
    principal: Principal
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def id(self) -> str:
        return self.principal.user_id


@dataclass(frozen=True)
class Partner:
    tenant: factories.Tenant
    admin: User
    reader: User

    @property
    def id(self) -> str:
        return self.tenant.partner_id


def user(engine: Engine, partner_id: str | None, *roles: Role) -> User:
    principal = factories.add_principal(engine, partner_id, *roles)
    return User(principal, create_token(engine, principal.email, now=factories.NOW))


def partner(engine: Engine, name: str) -> Partner:
    tenant = factories.add_tenant(engine, name)
    as_user = [User(p, create_token(engine, p.email, now=factories.NOW)) for p in (tenant.admin, tenant.reader)]
    return Partner(tenant, *as_user)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: Engine, clock: Clock):
    application = apps.app_for(Settings(database_url="sqlite://", max_body_bytes=MAX_BODY), engine)
    application.dependency_overrides[get_now] = lambda: clock.now
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def partner_a(engine: Engine) -> Partner:
    return partner(engine, "Contoso Consulting")


@pytest.fixture
def partner_b(engine: Engine) -> Partner:
    return partner(engine, "Northwind Partners")


@pytest.fixture
def seller(engine: Engine) -> User:
    return user(engine, None, Role.PROGRAM_SELLER)


@pytest.fixture
def contact_me(engine: Engine, partner_a: Partner):
    """A received Contact me lead of partner A."""
    return factories.ingest(engine, factories.CONTACT_ME, partner_a.id)


def accept_body(team_member_id: str, **overrides) -> dict:
    body = {
        "deal_name": "Fabrikam CRM rollout",
        "estimated_value": {"amount": "25000.00", "currency": "EUR"},
        "team_member_ids": [team_member_id],
        "estimated_purchase_date": "2026-06-30",
        "notes": "Pilot first, then 40 seats.",
        "campaign_id": "CAMP-1",
        "customer_contacts": [{"first_name": "Marco", "last_name": "Bianchi", "email": "marco@fabrikam.it"}],
    }
    body.update(overrides)
    return body


def is_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


def lead_count(engine: Engine) -> int:
    from sqlalchemy import func, select

    from referrals.store.tables import leads

    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(leads)).scalar_one()


def new_lead_body(partner_id: str, **overrides) -> dict:
    body = {
        "partner_id": partner_id,
        "qualification": "sales",
        "source": "azure_portal",
        "offer": {"id": "contoso.crm", "title": "Contoso CRM"},
        "customer": {"company": "Fabrikam Srl", "first_name": "Giulia", "last_name": "Rossi",
                     "email": "giulia@fabrikam.it", "phone": "+39 02 1234 5678", "country": "IT"},
        "message": "Needs 40 seats by June.",
        "customer_requested_contact": True,
    }
    body.update(overrides)
    return body
