"""A password-reset link's token never reaches the logs: its path is redacted like an inbound key's."""

from referrals.web.logredact import redact

TOKEN = "Zx3vQ9pL2mN8rT4wY6aB1cD5eF7gH0jK-_aa11"


def test_the_reset_links_token_is_redacted_from_an_access_line():
    for line in (f'"GET /password/reset/{TOKEN} HTTP/1.1" 200', f'"POST /password/reset/{TOKEN}?x=1 HTTP/1.1" 303'):
        clean = redact(line)
        assert TOKEN not in clean and "/password/reset/[redacted]" in clean
