"""Sign-in attempts are limited per client address and per email (Settings.login_rate_limit), so a
password cannot be guessed by flooding either."""

from referrals.web.ratelimit import TokenBucket


class SignInLimiter:
    def __init__(self, rate: str):
        self._by_client = TokenBucket.from_rate(rate)
        self._by_email = TokenBucket.from_rate(rate)

    def wait(self, client: str, email: str) -> float:
        """0 when this attempt may go ahead, else the seconds to wait."""
        return max(self._by_client.take(client), self._by_email.take(email.strip().lower()))
