"""The compatible endpoint's filters in SQL mean what they say on the referral documents: for each filter, the
referrals listed are exactly those whose document satisfies it (evaluated here in Python), in order, on both
databases; and pages of any size join up without repeats."""

from datetime import datetime

import pytest
from sqlalchemy import Engine

from referrals.domain.enums import Outcome, Reason
from referrals.domain.odata import Both, Either, Expression, Op
from referrals.services import lifecycle
from referrals.services.referrals_compat import list_referrals, read_query
from referrals.services.sweep import sweep
from tests import factories
from tests.factories import NOW, days

_OPS = {Op.EQ: lambda a, b: a == b, Op.NE: lambda a, b: a != b, Op.GT: lambda a, b: a > b,
        Op.GE: lambda a, b: a >= b, Op.LT: lambda a, b: a < b, Op.LE: lambda a, b: a <= b}


def holds(expression: Expression, document: dict) -> bool:
    if isinstance(expression, Both):
        return holds(expression.left, document) and holds(expression.right, document)
    if isinstance(expression, Either):
        return holds(expression.left, document) or holds(expression.right, document)
    value: object = document
    for part in expression.field.split("/"):
        value = value[part]  # type: ignore[index]
    compared = expression.value
    if isinstance(compared, datetime):
        value = datetime.fromisoformat(str(value))
    elif expression.field == "customerProfile/address/country":
        compared = str(compared).upper()
    return _OPS[expression.op](value, compared)


@pytest.fixture
def tenant_with_referrals(engine: Engine):
    tenant = factories.add_tenant(engine)
    made = []
    for index, (kind, country) in enumerate([
        (factories.CONTACT_ME, "IT"), (factories.CONTACT_ME, "US"), (factories.CONTACT_ME, None),
        (factories.GET_IT_NOW, "US"), (factories.MARKETING, "DE"), (factories.SALES, "IT"),
        (factories.PROFILE, "FR"), (factories.SALES, None),
    ]):
        made.append(factories.ingest(engine, kind, tenant.partner_id, now=NOW + days(index),
                                     customer={"country": country}))
    admin = tenant.admin
    terms = factories.deal_terms(team=(admin.user_id,), purchase_date=(NOW + days(60)).date())
    lifecycle.accept_lead(engine, admin, made[0].id, terms, now=NOW + days(8))
    lifecycle.accept_lead(engine, admin, made[5].id, terms, now=NOW + days(9))
    lifecycle.close_lead(engine, admin, made[5].id, Outcome.LOST, Reason.CHOSE_ANOTHER_VENDOR, "", now=NOW + days(10))
    lifecycle.decline_lead(engine, admin, made[4].id, Reason.SPAM, "Fake.", now=NOW + days(11))
    sweep(engine, now=NOW + days(16.5), remind=False)  # made[1] (day 1) and made[2] (day 2) expire
    return tenant


FILTERS = [
    "status eq 'New'",
    "status ne 'New'",
    "substatus eq 'Pending' or substatus eq 'Expired'",
    "substatus ne 'Received' and status eq 'New'",
    "qualification eq 'SalesQualified' or qualification eq 'MarketingQualified'",
    "customerProfile/address/country eq 'us'",
    "customerProfile/address/country ne 'IT'",
    "(status eq 'Closed' or status eq 'Active') and qualification ne 'Direct'",
    "status eq 'Closed' and (substatus eq 'Lost' or substatus eq 'Declined')",
    "type eq 'Independent' and direction eq 'Incoming'",
    "direction eq 'Outgoing' or type ne 'Independent'",
    "createdDateTime ge 2026-03-05T09:30:00Z",
    "createdDateTime lt 2026-03-05T09:30:00Z and updatedDateTime gt 2026-03-10T00:00:00Z",
    "updatedDateTime le 2026-03-12T09:30:00Z",
]


@pytest.mark.parametrize("text", FILTERS)
def test_each_filter_lists_exactly_the_referrals_it_describes(engine, tenant_with_referrals, text):
    everything = list_referrals(engine, tenant_with_referrals.reader, read_query([])).value
    query = read_query([("$filter", text), ("$count", "true")])
    found = list_referrals(engine, tenant_with_referrals.reader, query)
    expected = [doc["id"] for doc in everything if holds(query.filter, doc)]
    assert [doc["id"] for doc in found.value] == expected and found.count == len(expected)


@pytest.mark.parametrize("order", ["createdDateTime asc", "createdDateTime desc", "updatedDateTime asc",
                                   "updatedDateTime desc"])
def test_pages_of_three_join_up_in_order(engine, tenant_with_referrals, order):
    reader = tenant_with_referrals.reader
    whole = list_referrals(engine, reader, read_query([("$orderby", order)])).value
    field, direction = order.split()
    assert [d[field] for d in whole] == sorted((d[field] for d in whole), reverse=direction == "desc")
    seen, token = [], None
    while True:
        params = [("$orderby", order), ("$top", "3")] + ([("$skiptoken", token)] if token else [])
        page = list_referrals(engine, reader, read_query(params))
        seen.extend(doc["id"] for doc in page.value)
        if page.skiptoken is None:
            break
        token = page.skiptoken
    assert seen == [doc["id"] for doc in whole] and len(whole) == 8
