"""Asking DNS whether an email domain takes mail: short timeouts, a cache, and honesty about failure.

Offline or behind a resolver that answers NXDOMAIN for everything, every domain would look
non-existent; so a lookup is trusted only while a well-known domain resolves (the canary), and
anything we could not find out is FAILED, which the verdict turns into "unknown", never "invalid".
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import dns.exception
import dns.resolver

from referrals.domain.validity import MailDomain

CANARY = "gmail.com"
CACHE_SIZE = 20_000
ANSWER_TTL = 3600.0  # seconds an answer is reused
FAILURE_TTL = 300.0  # seconds a failure is reused, so a dead network costs one timeout, not one per lead

Resolve = Callable[[str, str, float], list]


def _resolve(name: str, rdtype: str, timeout: float) -> list:
    resolver = dns.resolver.Resolver()
    resolver.lifetime = timeout
    resolver.timeout = timeout
    return list(resolver.resolve(name, rdtype, search=False))


class MailDomainChecker:
    def __init__(self, timeout: float = 2.0, resolve: Resolve = _resolve, clock: Callable[[], float] = time.monotonic):
        self.timeout = timeout
        self._resolve = resolve
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, MailDomain]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, domain: str) -> MailDomain:
        domain = domain.strip().lower().rstrip(".")
        cached = self._cached(domain)
        if cached is not None:
            return cached
        answer = self._ask(domain)
        if answer is MailDomain.NOT_FOUND and self._canary() is not MailDomain.ACCEPTS_MAIL:
            answer = MailDomain.FAILED
        self._remember(domain, answer)
        return answer

    def _canary(self) -> MailDomain:
        cached = self._cached(CANARY)
        if cached is None:
            cached = self._ask(CANARY)
            self._remember(CANARY, cached)
        return cached

    def _ask(self, domain: str) -> MailDomain:
        try:
            ascii_domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return MailDomain.FAILED
        try:
            records = self._resolve(ascii_domain, "MX", self.timeout)
            if any(str(getattr(r, "exchange", r)).rstrip(".") == "" for r in records) and len(records) == 1:
                return MailDomain.NO_MAIL  # RFC 7505 null MX: "this domain takes no mail"
            return MailDomain.ACCEPTS_MAIL
        except dns.resolver.NXDOMAIN:
            return MailDomain.NOT_FOUND
        except dns.resolver.NoAnswer:
            pass
        except (dns.exception.DNSException, OSError):
            return MailDomain.FAILED
        for rdtype in ("A", "AAAA"):  # no MX: the address record is the implicit mail exchanger
            try:
                if self._resolve(ascii_domain, rdtype, self.timeout):
                    return MailDomain.ACCEPTS_MAIL
            except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
                continue
            except (dns.exception.DNSException, OSError):
                return MailDomain.FAILED
        return MailDomain.NO_MAIL

    def _cached(self, domain: str) -> MailDomain | None:
        with self._lock:
            hit = self._cache.get(domain)
            if hit is None:
                return None
            expires, answer = hit
            if self._clock() >= expires:
                del self._cache[domain]
                return None
            self._cache.move_to_end(domain)
            return answer

    def _remember(self, domain: str, answer: MailDomain) -> None:
        ttl = FAILURE_TTL if answer is MailDomain.FAILED else ANSWER_TTL
        with self._lock:
            self._cache[domain] = (self._clock() + ttl, answer)
            self._cache.move_to_end(domain)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)


_checkers: dict[float, MailDomainChecker] = {}


def mail_domain_checker(timeout: float) -> MailDomainChecker:
    """One shared checker (and cache) per timeout setting for the process."""
    checker = _checkers.get(timeout)
    if checker is None:
        checker = _checkers.setdefault(timeout, MailDomainChecker(timeout))
    return checker
