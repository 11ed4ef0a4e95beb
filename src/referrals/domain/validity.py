"""Contactability of a lead: is its email worth writing to, its phone worth calling (PRODUCT.md section 6).

Pure rules. The block list and any DNS answer are looked up by the caller and passed in, so the same
address always gets the same verdict for the same inputs. We judge contactability only, never identity.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from disposable_email_domains import blocklist as _DISPOSABLE
from email_validator import EmailNotValidError, validate_email

from referrals.domain.enums import EmailValidity, PhoneValidity
from referrals.domain.errors import InvalidInput


class MailDomain(StrEnum):
    """What DNS said about an email domain (adapters/dns.py asks; the verdict only reads the answer)."""

    ACCEPTS_MAIL = "accepts_mail"  # an MX record, or an address record as the implicit MX
    NO_MAIL = "no_mail"  # the domain exists but publishes a null MX or no address at all
    NOT_FOUND = "not_found"  # NXDOMAIN from a resolver that answers for known domains
    FAILED = "failed"  # timeout, no resolver, no network: we do not know


@dataclass(frozen=True)
class EmailVerdict:
    validity: EmailValidity
    normalized: str  # the address as it should be shown and copied ("" when there is none)
    reasons: tuple[str, ...] = ()
    domain: str = ""  # lower-case, Unicode form
    free_mail: bool = False
    role_account: bool = False

    @property
    def spam(self) -> bool:
        return self.validity is EmailValidity.SPAM


@dataclass(frozen=True)
class PhoneVerdict:
    validity: PhoneValidity
    e164: str | None  # "+390612345678", for display and the copy button; None when not a number
    reasons: tuple[str, ...] = ()


TEST_MARKER = "msft_test"  # the marketplace puts it in the fields of the test leads it sends

FREE_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.it",
        "hotmail.co.uk",
        "hotmail.fr",
        "live.com",
        "live.it",
        "msn.com",
        "yahoo.com",
        "yahoo.it",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "libero.it",
        "virgilio.it",
        "tiscali.it",
        "alice.it",
        "tim.it",
        "email.it",
        "fastwebnet.it",
        "inwind.it",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "zoho.com",
        "tutanota.com",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
    ]
)

ROLE_LOCAL_PARTS = frozenset(
    [
        "info",
        "admin",
        "administrator",
        "contact",
        "contacts",
        "support",
        "help",
        "helpdesk",
        "office",
        "hello",
        "team",
        "marketing",
        "sales",
        "billing",
        "accounts",
        "accounting",
        "finance",
        "hr",
        "jobs",
        "careers",
        "webmaster",
        "postmaster",
        "hostmaster",
        "abuse",
        "root",
        "enquiries",
        "inquiries",
        "enquiry",
        "service",
        "services",
        "security",
        "privacy",
        "legal",
        "press",
        "media",
        "newsletter",
        "it",
        "reception",
        "orders",
        "purchasing",
        "segreteria",
        "amministrazione",
        "ufficio",
        "commerciale",
        "vendite",
        "contatti",
        "assistenza",
        "direzione",
    ]
)
NO_REPLY_LOCAL_PARTS = frozenset(
    [
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "mailer-daemon",
        "bounce",
        "bounces",
    ]
)
FAKE_WORDS = frozenset(
    [
        "test",
        "testing",
        "tester",
        "fake",
        "dummy",
        "sample",
        "spam",
        "foo",
        "bar",
        "foobar",
        "abc",
        "xyz",
        "none",
        "nobody",
        "noemail",
        "no-email",
        "nomail",
        "null",
        "void",
        "someone",
        "anonymous",
        "example",
        "asdf",
        "qwerty",
        "aaa",
        "xxx",
    ]
)
FAKE_DOMAINS = frozenset(
    [
        "example.com",
        "example.org",
        "example.net",
        "test.com",
        "test.it",
        "fake.com",
        "nomail.com",
        "noemail.com",
        "none.com",
    ]
)
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "qwertzuiop", "azertyuiop", "qazwsxedc")
_WALKS = frozenset(
    row[i : i + n]
    for row in (*_KEYBOARD_ROWS, *(r[::-1] for r in _KEYBOARD_ROWS))
    for n in range(4, len(row) + 1)
    for i in range(len(row) - n + 1)
)
_WALK_STARTS = frozenset(w for w in _WALKS if len(w) == 4)
_LETTERS = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def _is_walk(text: str) -> bool:
    """A keyboard walk ("asdf", "qwerty123") or a run of one key ("xxxx") makes up most of the text."""
    compact = "".join(_LETTERS.findall(text.lower()))
    if len(compact) < 4:
        return False
    if len(set(compact)) == 1:
        return True
    if not any(compact[i : i + 4] in _WALK_STARTS for i in range(len(compact) - 3)):
        return False
    longest = max((len(w) for w in _WALKS if w in compact), default=0)
    return longest >= 0.6 * len(compact)


def _parents(domain: str) -> list[str]:
    """ "a.b.example.com" -> ["a.b.example.com", "b.example.com", "example.com"]: lists name registrable
    domains, and a sub-domain of a listed domain is the same sender."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


@lru_cache(maxsize=65536)
def _disposable(ascii_domain: str) -> str | None:
    """The listed disposable domain the address is at (itself or a parent), or None; cached per domain."""
    for candidate in _parents(ascii_domain):
        if candidate in _DISPOSABLE:
            return candidate
    return None


def _fake_reason(local: str, domain: str) -> str | None:
    base_local = local.split("+", 1)[0].lower()
    name = domain.split(".", 1)[0]
    if domain in FAKE_DOMAINS:
        return f"made-up address ({domain} is not a real mail domain)"
    if base_local in FAKE_WORDS and (name in FAKE_WORDS or name == base_local or domain in FREE_MAIL_DOMAINS):
        return f"made-up address ({base_local}@{name})"
    if _is_walk(base_local) or _is_walk(name):
        return "made-up address (keyboard pattern)"
    return None


_ASCII_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_INTL_ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010FFFF-]+"
_INTL_LOCAL = re.compile(rf"{_INTL_ATEXT}(?:\.{_INTL_ATEXT})*")
_SAFE_LENGTH = 200  # UTF-8 bytes; the limit is 254, and the fast path's lower-cased domain may differ in length


@lru_cache(maxsize=65536)
def _domain_of(domain_part: str) -> tuple[str, str] | str:
    """(domain, ascii domain), or the reason the domain is not valid; domains repeat, so it is cached."""
    try:
        parsed = validate_email(f"postmaster@{domain_part}", check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return parsed.domain.lower(), (parsed.ascii_domain or parsed.domain).lower()


def forget_cached_contacts() -> None:
    """Drop the cached local parts and phone verdicts (they are keyed by a person's address and number): an erasure
    calls this (services/screening.py: forget_people)."""
    _local_of.cache_clear()
    _judge_phone.cache_clear()


@lru_cache(maxsize=65536)
def _local_of(local: str) -> str | None:
    """The normalised form of an internationalised local part ("josé.rossi"), or None when email-validator
    finds fault with it; it depends on the local part alone, and names repeat, so it is cached."""
    try:
        return validate_email(f"{local}@example.com", check_deliverability=False).local_part
    except EmailNotValidError:
        return None


def _fast_local(local: str, domain_part: str, raw: str) -> str | None:
    """The local part as email-validator would give it back, when the address can skip the full parse:
    a dot-atom local part, ASCII or internationalised (then NFC-normalised, through the cache), before
    an ASCII domain part."""
    if not local or len(local) > 64 or len(raw) > 254:
        return None
    if raw.isascii():
        return local if _ASCII_LOCAL.fullmatch(local) else None
    if not domain_part.isascii() or not _INTL_LOCAL.fullmatch(local):
        return None
    return _local_of(local)


def _parse(raw: str) -> tuple[str, str, str, str]:
    """(local part, domain, ascii domain, normalised address). Dot-atom addresses take a fast path: the
    local part by the RFC 5322/6531 dot-atom pattern, the domain through the cache; anything else goes
    through email-validator whole (so do addresses near the length limit, for its exact message)."""
    local, at, domain_part = raw.rpartition("@")
    fast = _fast_local(local, domain_part, raw) if at else None
    if fast is not None:
        domain = _domain_of(domain_part)  # a fault found here ("postmaster@" is longer than some local
        if not isinstance(domain, str):  # parts) is left to the full parse below, for its exact verdict
            normalized = f"{fast}@{domain[0]}"
            if raw.isascii() or max(len(a.encode()) for a in (raw, normalized, f"{fast}@{domain[1]}")) <= _SAFE_LENGTH:
                return fast, domain[0], domain[1], normalized
    parsed = validate_email(raw, check_deliverability=False)
    domain = parsed.domain.lower()
    return parsed.local_part, domain, (parsed.ascii_domain or domain).lower(), parsed.normalized


def judge_email(
    address: str | None,
    *,
    blocked: Collection[str] = frozenset(),
    blocked_reasons: dict[str, str] | None = None,
    mail_domain: MailDomain | None = None,
) -> EmailVerdict:
    """Judge one address. `blocked` holds normalised block-list entries (domains and addresses);
    `mail_domain` is what DNS said about the domain, or None when DNS is not consulted."""
    raw = (address or "").strip()
    if not raw:
        return EmailVerdict(EmailValidity.UNKNOWN, "", ("no email address",))
    if TEST_MARKER in raw.lower():
        return EmailVerdict(EmailValidity.SPAM, raw, ("marketplace test lead (MSFT_TEST)",))
    try:
        local, domain, ascii_domain, normalized = _parse(raw)
    except EmailNotValidError as error:
        return EmailVerdict(EmailValidity.INVALID, raw, (f"email invalid: {error}",))
    base = dict(
        normalized=normalized,
        domain=domain,
        free_mail=domain in FREE_MAIL_DOMAINS,
        role_account=local.lower().split("+", 1)[0] in ROLE_LOCAL_PARTS,
    )
    spam = _spam_reasons(f"{local.lower()}@{domain}", domain, ascii_domain, blocked, blocked_reasons or {})
    fake = _fake_reason(local, domain)
    if fake:
        spam.append(fake)
    if spam:
        return EmailVerdict(EmailValidity.SPAM, reasons=tuple(spam), **base)
    if local.lower() in NO_REPLY_LOCAL_PARTS:
        return EmailVerdict(EmailValidity.INVALID, reasons=("no-reply address: replies are not read",), **base)
    if mail_domain is MailDomain.NOT_FOUND:
        return EmailVerdict(EmailValidity.INVALID, reasons=("mail domain does not exist",), **base)
    if mail_domain is MailDomain.NO_MAIL:
        return EmailVerdict(EmailValidity.INVALID, reasons=("mail domain accepts no email",), **base)
    notes = (f"role account ({local.lower()}@)",) if base["role_account"] else ()
    if mail_domain is MailDomain.FAILED:
        return EmailVerdict(EmailValidity.UNKNOWN, reasons=("mail domain could not be checked", *notes), **base)
    return EmailVerdict(EmailValidity.VALID, reasons=notes, **base)


def _spam_reasons(
    address: str, domain: str, ascii_domain: str, blocked: Collection[str], why: dict[str, str]
) -> list[str]:
    reasons = []
    if blocked:  # usually a few entries, often none: then nothing can be blocked
        if address in blocked:
            reasons.append(_blocked("blocked address", why.get(address)))
        for candidate in {*_parents(domain), *_parents(ascii_domain)}:
            if candidate in blocked:
                reasons.append(_blocked(f"blocked domain {candidate}", why.get(candidate)))
    disposable = _disposable(ascii_domain)
    if disposable is not None:
        reasons.append(f"disposable email domain ({disposable})")
    return reasons


def _blocked(what: str, reason: str | None) -> str:
    return f"{what}: {reason}" if reason else what


def normalize_block_entry(entry: str) -> str:
    """A block-list entry as stored: a whole address or a domain, lower case, Unicode domain."""
    text = (entry or "").strip().lower().rstrip(".")
    if "@" in text:
        try:
            parsed = validate_email(text, check_deliverability=False)
        except EmailNotValidError as error:
            raise InvalidInput(f"{entry!r} is not an email address: {error}", fields={"entry": str(error)}) from None
        return f"{parsed.local_part.lower()}@{parsed.domain.lower()}"
    try:
        parsed = validate_email(f"postmaster@{text}", check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(
            f"{entry!r} is neither an email address nor a domain", fields={"entry": "is not a domain"}
        ) from None
    return parsed.domain.lower()


# -- content -------------------------------------------------------------------------------------

_SPAM_WORDS = re.compile(
    r"\b(casino|viagra|cialis|crypto ?currency|bitcoin|forex|backlinks?|seo services|guest posts?|"
    r"rank (?:your|on) google|loan offer|make money|work from home|adult|escort|lottery|"
    r"click here|unsubscribe|limited time offer|100% free)\b"
)  # matched against lower-cased text: case-insensitive patterns are three times slower
_URL = re.compile(r"(https?://|www\.)")


def content_spam_reasons(message: str, *texts: str | None) -> tuple[str, ...]:
    """Spam flags from what the customer wrote: test markers anywhere, and messages that advertise."""
    reasons = []
    if any(TEST_MARKER in (t or "").lower() for t in (message, *texts)):
        reasons.append("marketplace test lead (MSFT_TEST)")
    lowered = (message or "").lower()
    words = set(_SPAM_WORDS.findall(lowered))
    links = len(_URL.findall(lowered))
    if len(words) >= 2 or (words and links) or links >= 3:
        shown = ", ".join(sorted(words)[:3]) or f"{links} links"
        reasons.append(f"message reads like spam ({shown})")
    return tuple(reasons)


def spam_word_count(message: str) -> int:
    return len(_SPAM_WORDS.findall((message or "").lower()))


def link_count(message: str) -> int:
    return len(_URL.findall((message or "").lower()))


# -- phone ---------------------------------------------------------------------------------------

_SUPPORTED = frozenset(phonenumbers.SUPPORTED_REGIONS)
_TOO = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.INVALID_LENGTH: "of the wrong length",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
}


def judge_phone(number: str | None, country: str | None) -> PhoneVerdict:
    """Parse against the customer's country (a number with +prefix may be from anywhere)."""
    raw = (number or "").strip()
    if not raw:
        return PhoneVerdict(PhoneValidity.UNKNOWN, None, ("no phone number",))
    return _judge_phone(raw, (country or "").upper() or None)


@lru_cache(maxsize=65536)
def _judge_phone(raw: str, region: str | None) -> PhoneVerdict:
    """Parsing is the slow part of screening and numbers repeat (the same customer, the same switchboard):
    verdicts are immutable, so they are cached, a bounded number of them."""
    judgeable = region in _SUPPORTED
    try:
        parsed = phonenumbers.parse(raw, region if judgeable else None)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE and not judgeable:
            why = f"numbers of {region} cannot be checked" if region else "no country to read the number against"
            return PhoneVerdict(PhoneValidity.UNKNOWN, None, (why,))
        return PhoneVerdict(PhoneValidity.INVALID, None, ("phone invalid: not a phone number",))
    if phonenumbers.is_valid_number(parsed):
        return PhoneVerdict(
            PhoneValidity.VALID, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        )
    where = phonenumbers.region_code_for_country_code(parsed.country_code)
    if where in ("ZZ", None):
        return PhoneVerdict(PhoneValidity.INVALID, None, (f"phone invalid: no country uses +{parsed.country_code}",))
    if where not in _SUPPORTED and where != "001":
        return PhoneVerdict(PhoneValidity.UNKNOWN, None, (f"numbers of {where} cannot be checked",))
    size = _TOO.get(phonenumbers.is_possible_number_with_reason(parsed))
    detail = f"{size} for {where}" if size else f"not a valid {where} number"
    return PhoneVerdict(PhoneValidity.INVALID, None, (f"phone invalid: {detail}",))
