"""Honest urgency (issue 14): the flame only for a customer who asked to be contacted, within 72 hours, without a spam
warning, with a phone or an email that is there and not judged invalid; "call now" needs such a phone, else "write
now"."""

from dataclasses import replace
from datetime import timedelta

import pytest

from referrals.domain.enums import EmailValidity, PhoneValidity, Urgency
from referrals.domain.lead_state import Channel, reachable_by
from tests.factories import NOW, received_lead

A_MINUTE_AGO = NOW - timedelta(minutes=1)


def screened(lead, *, email=EmailValidity.VALID, phone=PhoneValidity.VALID, spam=()):
    lead.screening = replace(lead.screening, email_validity=email, phone_validity=phone, spam_reasons=spam)
    return lead


def test_a_clean_contact_me_lead_of_a_minute_ago_is_hot():
    assert screened(received_lead(now=A_MINUTE_AGO)).urgency(NOW) is Urgency.HOT


def test_a_spam_flagged_contact_me_lead_of_a_minute_ago_is_not_hot():
    lead = screened(received_lead(now=A_MINUTE_AGO), spam=("email: a known spam address",))
    assert lead.urgency(NOW) is None


@pytest.mark.parametrize(("phone", "phone_validity", "email", "email_validity", "channel"), [
    ("+39 02 4567 8910", PhoneValidity.VALID, "a@b.it", EmailValidity.VALID, Channel.PHONE),
    ("+39 02 4567 8910", PhoneValidity.UNKNOWN, "", EmailValidity.UNKNOWN, Channel.PHONE),
    ("+39 02 4567 8910", PhoneValidity.INVALID, "a@b.it", EmailValidity.UNKNOWN, Channel.EMAIL),
    ("", PhoneValidity.UNKNOWN, "a@b.it", EmailValidity.VALID, Channel.EMAIL),
    ("   ", PhoneValidity.VALID, "a@b.it", EmailValidity.VALID, Channel.EMAIL),
    ("", PhoneValidity.UNKNOWN, "a@b.it", EmailValidity.INVALID, None),
    ("+39 02 4567 8910", PhoneValidity.INVALID, "a@b.it", EmailValidity.SPAM, None),
    ("", PhoneValidity.UNKNOWN, "", EmailValidity.UNKNOWN, None),
])
def test_a_lead_is_reached_by_a_phone_or_an_email_not_judged_invalid(phone, phone_validity, email, email_validity,
                                                                      channel):
    assert reachable_by(phone, phone_validity, email, email_validity) is channel
    lead = screened(received_lead(now=A_MINUTE_AGO, phone=phone, email=email), phone=phone_validity,
                    email=email_validity)
    # then the lead's state says how (the pages: "call now" or "write now"), and only a reachable lead is hot
    assert lead.state.channel is channel
    assert lead.urgency(NOW) is (Urgency.HOT if channel else None)


def test_after_72_hours_a_reachable_lead_waits_and_an_unreachable_one_says_nothing():
    later = NOW + timedelta(hours=73)
    assert screened(received_lead(now=NOW)).urgency(later) is Urgency.WAITING
    assert screened(received_lead(now=NOW), spam=("phone: invalid",)).urgency(later) is None


def test_directory_requests_ask_for_contact_and_are_hot_too():
    assert screened(received_lead("profile", now=A_MINUTE_AGO)).urgency(NOW) is Urgency.HOT
