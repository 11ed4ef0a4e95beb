"""A send has a deadline as a whole, not only per step: a server that keeps the connection alive but answers too
slowly is cut off, so a send can never outlive the outbox's claim on its message (services/outbox.py: LEASE)."""

import time

import pytest

from referrals.adapters.smtp import SEND_DEADLINE, SmtpMailer, TransientFailure, build_message
from referrals.config import Settings
from referrals.services.outbox import LEASE
from tests.smtp import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _message():
    return build_message(sender="r@example.com", recipient="ada@example.com", subject="Hi", text="Hi",
                         html="<p>Hi</p>", key="test:deadline")


def test_a_send_slower_than_its_deadline_fails_as_transient_in_time(smtp):
    # given a server that takes three seconds to accept the data, and a one-second deadline for the whole send
    smtp.recorder.delay = 3.0
    mailer = SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port), timeout=20.0, deadline=1.0)
    # when a message is sent
    began = time.monotonic()
    with pytest.raises(TransientFailure):
        mailer.send(_message())
    # then the send gave up at its deadline (to be retried later), not at the server's pace
    assert time.monotonic() - began < 2.5


def test_a_quick_send_is_not_cut(smtp):
    mailer = SmtpMailer(Settings(smtp_host="127.0.0.1", smtp_port=smtp.port), deadline=1.0)
    mailer.send(_message())
    time.sleep(1.2)  # the cancelled watchdog must not touch anything later
    assert len(smtp.recorder.messages) == 1


def test_the_deadline_leaves_the_lease_room_for_the_connection_too():
    assert LEASE.total_seconds() > SEND_DEADLINE + 2 * 20.0
