"""No secrets in the logs: the filter `referrals serve` puts on every log handler replaces inbound keys, API
tokens, Authorization values and session cookies with [redacted], in messages, arguments and tracebacks."""

import io
import logging
import logging.config

import pytest

from referrals.web.logredact import RedactSecrets, log_config, redact

KEY = "ik_Zx3vQ9pL2mN8rT4wY6aB1cD5eF7gH0jK"
TOKEN = "rfl_Qw8eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6"
COOKIE_VALUE = "eyJ1IjoiMDFKQ1giLCJjIjoiYWJjIn0.Zx3vQw.s1gnatur3"


@pytest.mark.parametrize(("text", "secret"), [
    (f"POST /inbound/marketplace/{KEY} HTTP/1.1", KEY),
    ("POST /inbound/marketplace/not-a-real-key-but-still-secret?x=1 HTTP/1.1", "not-a-real-key-but-still-secret"),
    (f"Authorization: Bearer {TOKEN}", TOKEN),
    (f"{{'authorization': 'Bearer {TOKEN}', 'accept': '*/*'}}", TOKEN),
    (f"token {TOKEN} was revoked", TOKEN),
    (f"key {KEY} rotated", KEY),
    (f"Cookie: referrals_session={COOKIE_VALUE}; other=1", COOKIE_VALUE),
    (f"{{'referrals_session': '{COOKIE_VALUE}'}}", COOKIE_VALUE),
])
def test_a_secret_is_replaced_wherever_it_stands(text, secret):
    clean = redact(text)
    assert secret not in clean
    assert "[redacted]" in clean


def test_text_without_secrets_is_left_alone():
    line = 'GET /api/v1/leads?tab=marketplace&sort=newest HTTP/1.1" 200'
    assert redact(line) == line


def _emitted(logger_name: str, *args, exc_info=None, msg: str = "%s") -> str:
    """What a handler configured like `referrals serve`'s writes for one record."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(message)s"))
    record = logging.LogRecord(logger_name, logging.ERROR, __file__, 1, msg, args, exc_info)
    handler.handle(record)
    return stream.getvalue()


def test_the_access_line_keeps_its_five_arguments_with_the_key_redacted():
    # uvicorn's AccessFormatter unpacks exactly (client, method, path, http version, status)
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", f"/inbound/marketplace/{KEY}", "1.1", 201), None)
    assert RedactSecrets().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line == '127.0.0.1:5000 - "POST /inbound/marketplace/[redacted] HTTP/1.1" 201 Created'


def test_a_secret_split_between_format_and_argument_is_redacted():
    assert KEY not in _emitted("referrals.jobs", KEY.removeprefix("ik_"), msg="unknown key ik_%s")


def test_a_traceback_mentioning_a_token_is_redacted():
    try:
        raise ValueError(f"no user for token {TOKEN}")
    except ValueError:
        import sys

        written = _emitted("uvicorn.error", "Exception in ASGI application", exc_info=sys.exc_info())
    assert "ValueError: no user for token rfl_[redacted]" in written
    assert TOKEN not in written


def test_the_serve_configuration_filters_every_handler_and_our_loggers(tmp_path):
    config = log_config()
    assert all("redact" in handler["filters"] for handler in config["handlers"].values())
    assert config["loggers"]["referrals"]["level"] == "INFO"
    assert config["root"]["handlers"] == ["default"]
