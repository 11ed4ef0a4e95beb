"""Arbitrary JSON at the two endpoints the outside world writes leads through — the marketplace's inbound payload
and the program's lead-create API — never gets a 5xx, on either database: whatever arrives is a lead (2xx) or
a refusal naming what is wrong (4xx). The generator leans on what broke before: lone surrogates, NUL and control
characters, NaN, infinities and numbers that overflow (1e400), wrong types, nesting, non-JSON bytes."""

import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import new_lead_body
from tests.e2e.test_api_marketplace import payload

EXAMPLES = 2000  # per database, across both endpoints


@dataclass(frozen=True)
class Raw:
    """A JSON token json.dumps cannot write (1e400 reads back as infinity; -0; an integer past 64 bits)."""

    token: str


def to_json(value: Any) -> str:
    """JSON as a sender may really write it: NaN and Infinity as bare words, lone surrogates as \\u escapes."""
    if isinstance(value, Raw):
        return value.token
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


NASTY = ["\x00", "\udc80", "\ud83d", "\udfff", "\r\n", "\r", "\n", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff",
         "\uffff", "\U0010ffff", "'", '"', "\\", "%s", "' OR 1=1 --", "=HYPERLINK(\"x\")", "é", "ß", "日本"]
characters = st.one_of(st.characters(), st.characters(categories=["Cs", "Cc"]))
texts = st.one_of(
    st.text(characters, max_size=24),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4)), max_size=6).map("".join),
)
numbers = st.one_of(
    st.integers(), st.integers(min_value=-(10**40), max_value=10**40), st.floats(),
    st.sampled_from([Raw("1e400"), Raw("-1e400"), Raw("1e-400"), Raw("NaN"), Raw("Infinity"), Raw("-Infinity"),
                     Raw("-0"), Raw("123456789012345678901234567890.5")]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(texts, inner, max_size=4)), max_leaves=10)
field_values = st.one_of(texts, texts, scalars, json_values)  # mostly text: the fields are text


DROP = object()  # a mutation that leaves the field out


def leaves(body: dict[str, Any], at: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [at + ("Extra",)]
    for key, value in body.items():
        found += leaves(value, at + (key,)) if isinstance(value, dict) else [at + (key,)]
    return found


def mutate(valid: dict[str, Any], changes: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    body = json.loads(json.dumps(valid))
    for path, value in changes:
        parent = body
        for key in path[:-1]:
            parent = parent[key] if isinstance(parent.get(key), dict) else parent.setdefault(key, {})
            if not isinstance(parent, dict):
                break
        else:
            if value is DROP:
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
    return body


def mutated(valid: dict[str, Any]) -> st.SearchStrategy:
    """`valid` with up to three fields replaced by junk or left out: most payloads are wrong in one or two
    places, so many get past the first checks and some reach the database."""
    change = st.tuples(st.sampled_from(leaves(valid)), st.one_of(field_values, field_values, st.just(DROP)))
    return st.lists(change, max_size=3).map(lambda changes: mutate(valid, changes))


def marketplace_bodies() -> st.SearchStrategy:
    return st.one_of(mutated(payload()), mutated(payload()), mutated(payload()), json_values)


def lead_bodies(partner_id: str) -> st.SearchStrategy:
    return st.one_of(mutated(new_lead_body(partner_id)), mutated(new_lead_body(partner_id)), json_values)


def bodies(url: str, partner_id: str) -> st.SearchStrategy:
    """(endpoint, body bytes): JSON mostly, and now and then bytes that are not JSON or not UTF-8."""
    inbound = st.tuples(st.just(url), marketplace_bodies().map(to_json).map(str.encode))
    create = st.tuples(st.just("/api/v1/leads"), lead_bodies(partner_id).map(to_json).map(str.encode))
    junk = st.tuples(st.sampled_from([url, "/api/v1/leads"]), st.binary(max_size=64))
    return st.one_of(inbound, inbound, inbound, create, create, create, junk)


class Unlimited:
    """No rate limit on the inbound key: thousands of payloads in a minute are the point here."""

    def take(self, *_key: str, **_kwargs: Any) -> float:
        return 0.0


def test_arbitrary_json_at_the_marketplace_and_lead_endpoints_never_gets_a_5xx(client, app, engine, partner_a, seller):
    app.state.inbound_limiter = Unlimited()
    url = f"/inbound/marketplace/{partner_a.tenant.inbound_key}"
    answers: Counter[tuple[str, int]] = Counter()
    started = time.monotonic()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(request=bodies(url, partner_a.id))
    def send(request: tuple[str, bytes]) -> None:
        endpoint, body = request
        headers = {"Content-Type": "application/json", **(seller.headers if endpoint == "/api/v1/leads" else {})}
        response = client.post(endpoint, content=body, headers=headers)
        assert response.status_code < 500, (endpoint, body, response.text)
        answers["inbound" if endpoint == url else "create", response.status_code // 100] += 1

    send()
    elapsed = time.monotonic() - started
    per_endpoint: Counter[str] = Counter()
    for (endpoint, _), n in answers.items():
        per_endpoint[endpoint] += n
    tally = dict(sorted(answers.items()))
    print(f"\n{engine.dialect.name}: {sum(answers.values())} payloads in {elapsed:.1f} s: {tally}")
    assert sum(answers.values()) >= EXAMPLES and min(per_endpoint.values()) >= EXAMPLES // 4
    assert answers["inbound", 2] and answers["create", 2], "some payloads must make leads, or the database is untested"
