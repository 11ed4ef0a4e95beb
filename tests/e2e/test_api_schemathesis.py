"""Property-based: schemathesis generates requests from the OpenAPI document for every operation and
checks that none answers 500 and every answer conforms to the document (status, content type, schema)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from referrals.domain.enums import Role
from tests import factories
from tests.e2e.conftest import user

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _leads(engine, partner):
    return [factories.ingest(engine, kind, partner.id)
            for kind in (factories.CONTACT_ME, factories.GET_IT_NOW, factories.SALES, factories.PROFILE)]


def _point_at_real_things(case, real, pick):
    for name, values in real.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = values[pick % len(values)]
    if isinstance(case.body, dict) and "partner_id" in case.body:
        case.body["partner_id"] = real["partner_id"][0]


@pytest.mark.parametrize("role", [Role.REFERRALS_ADMIN, Role.PROGRAM_ADMIN])
def test_no_operation_answers_500_or_breaks_its_schema(app, engine, partner_a, role):
    # given a partner with leads and a real token for the role under test
    caller = partner_a.admin if role is Role.REFERRALS_ADMIN else user(engine, None, role)
    headers = caller.headers
    real = {
        "lead_id": [lead.id for lead in _leads(engine, partner_a)],
        "location_id": [partner_a.tenant.location_id],
        "inbound_key": [partner_a.tenant.inbound_key],
        "partner_id": [partner_a.id],
    }
    failures = []
    for operation in _operations(app):

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), use_real=st.booleans(), pick=st.integers(0, 10))
        def check(case, use_real, pick):
            if use_real:  # half the time, aim at things that exist, so the happy paths run too
                _point_at_real_things(case, real, pick)
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as error:  # collect every operation's failure, then fail once
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
