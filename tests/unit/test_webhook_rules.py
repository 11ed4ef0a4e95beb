"""The webhook rules on their own: signing (the Standard Webhooks test vector), which URLs and addresses are refused,
which events reach whom, and the retry schedule."""

from datetime import UTC, datetime, timedelta

import pytest

from referrals.domain.enums import Action
from referrals.domain.errors import InvalidInput
from referrals.domain.webhooks import (
    address_problem,
    check_events,
    check_url,
    compat_event,
    event_for,
    next_attempt,
    reaches,
    retry_after,
    sign,
    signature_header,
    signing_secrets,
    to_disable,
    wants,
)

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_a_signature_matches_the_standard_webhooks_test_vector():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one():
    new, old = "whsec_" + "A" * 32, "whsec_" + "B" * 32
    assert signing_secrets(new, old, T0 + timedelta(hours=24), T0) == [new, old]
    assert signing_secrets(new, old, T0, T0) == [new]
    header = signature_header([new, old], "msg_1", 1, b"{}")
    assert header.split(" ") == [sign(new, "msg_1", 1, b"{}"), sign(old, "msg_1", 1, b"{}")]


@pytest.mark.parametrize(("url", "reason"), [
    ("http://hooks.example.com/x", "must use https"),
    ("ftp://hooks.example.com/x", "absolute https"),
    ("https://10.1.2.3/x", "private"),
    ("https://127.0.0.1/x", "loopback"),
    ("https://169.254.169.254/latest", "link-local"),
    ("https://224.0.0.1/x", "multicast"),
    ("https://0.0.0.0/x", "unspecified"),
    ("https://[::1]/x", "loopback"),
    ("https://[::ffff:192.168.1.1]/x", "private"),
    ("https://user:pw@hooks.example.com/x", "user name or password"),
])
def test_a_refused_url_names_the_reason(url: str, reason: str):
    with pytest.raises(InvalidInput) as refused:
        check_url(url, [])
    assert reason in refused.value.fields["url"]


def test_an_allowed_host_may_be_private_and_plain_http():
    assert check_url("http://127.0.0.1:8123/hook", ["127.0.0.1"]) == ("http", "127.0.0.1", 8123)
    assert check_url("https://hooks.example.com/x", []) == ("https", "hooks.example.com", 443)


def test_public_addresses_pass_and_others_do_not():
    assert address_problem("93.184.216.34") is None
    assert address_problem("2606:2800:220:1:248:1893:25c8:1946") is None
    assert "private" in address_problem("192.168.0.10")
    assert "private" in address_problem("fd00::1")


def test_events_are_checked_and_matched():
    assert check_events(["lead.created", "lead.created", "*"]) == ["lead.created", "*"]
    with pytest.raises(InvalidInput, match="lead.eaten"):
        check_events(["lead.eaten"])
    assert wants(["lead.created"], "lead.created") and not wants(["lead.created"], "lead.accepted")
    assert wants(["*"], "lead.expired") and wants(["lead.created"], "webhook.test")
    assert reaches(None, "p1") and reaches(["p1"], "p1") and not reaches(["p2"], "p1")


def test_every_lead_change_raises_its_event():
    assert event_for(Action.ACCEPTED) == "lead.accepted"
    assert event_for(Action.WON) == event_for(Action.LOST) == "lead.closed"
    assert {event_for(a) for a in (Action.DEAL_EDITED, Action.EMPLOYEE_ADDED, Action.ASSIGNED,
                                   Action.UNASSIGNED)} == {"lead.updated"}
    assert compat_event("lead.created") == "referral-created"
    assert compat_event("lead.declined") == "referral-updated"


def test_the_first_retry_waits_30_seconds_then_doubles_and_stops_after_a_day():
    assert retry_after(1) == timedelta(seconds=30)
    assert retry_after(2) == timedelta(seconds=60)
    assert retry_after(30) == timedelta(hours=1)
    assert next_attempt(T0, 1, T0) == T0 + timedelta(seconds=30)
    assert next_attempt(T0, 20, T0 + timedelta(hours=23, minutes=30)) is None


def test_an_endpoint_is_disabled_after_three_days_of_failures():
    assert not to_disable(None, T0)
    assert not to_disable(T0, T0 + timedelta(days=2, hours=23))
    assert to_disable(T0, T0 + timedelta(days=3))
