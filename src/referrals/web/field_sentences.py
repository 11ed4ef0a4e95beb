"""The domain's field messages as whole sentences saying what to do, including the ones that carry a value ("is
longer than 200 characters", "at most 5 locations per country (IT)"): each pattern keeps its value, and "is required"
is said for its field ("Enter the deal name."). Pure: the caller hands in its language's gettext."""

import re
from collections.abc import Callable

from referrals.web.labels import ERRORS, N_, REQUIRED

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^is longer than (?P<max>\d+) characters$"), N_("Use at most %(max)s characters.")),
    (re.compile(r"^.* is not a valid email address$"), N_("Enter a valid email address, like name@example.com.")),
    (re.compile(r"^must start with https:// or http://$"), N_("Enter an address that starts with https:// or http://.")),
    (re.compile(r"^holds at most (?P<max>\d+) entries$"), N_("Enter at most %(max)s entries.")),
    (re.compile(r"^entries must be 1 to 100 characters$"), N_("Keep each entry between 1 and 100 characters.")),
    (re.compile(r"^unknown values: (?P<values>.*)$"), N_("Choose from the list; not known: %(values)s.")),
    (re.compile(r"^not ISO 3166 alpha-2 codes: (?P<values>.*)$"),
     N_("Choose countries from the list; not known: %(values)s.")),
    (re.compile(r"^must be an ISO 3166 alpha-2 code$"), N_("Choose a country.")),
    (re.compile(r"^.* is not an ISO 3166 alpha-2 code.*$"), N_("Choose a country.")),
    (re.compile(r"^.* is not an ISO 4217 code$"), N_("Choose a currency from the list.")),
    (re.compile(r"^at most (?P<max>\d+) locations per country \((?P<values>.*)\)$"),
     N_("Add at most %(max)s locations per country (%(values)s).")),
    (re.compile(r"^a published profile needs at least one location$"),
     N_("Add at least one location before publishing the profile.")),
    (re.compile(r"^unknown ids: (?P<values>.*)$"), N_("Choose only your own locations.")),
    (re.compile(r"^removes a used location$"),
     N_("This location already has leads: keep it, or change its details instead.")),
    (re.compile(r"^must be left empty$"), N_("Leave this field empty.")),
    (re.compile(r"^must be on or after (?P<date>\d{4}-\d{2}-\d{2}).*$"),
     N_("Choose today or a later date: the estimated purchase date cannot be in the past.")),
    (re.compile(r"^must not contain control characters \(U\+(?P<code>[0-9A-F]{4})\)$"),
     N_("Remove the control character (U+%(code)s).")),
    (re.compile(r"^is not valid Unicode text \(a lone surrogate, U\+(?P<code>[0-9A-F]{4})\)$"),
     N_("Remove the character that is not valid text (U+%(code)s).")),
)

_PREFIX = re.compile(r"^(?:.*\.|contact-\d+-|loc-\d+-)")


def field_key(field: str) -> str:
    """"customer_contacts[0].email", "contact-1-email" and "customer.email" are all "email"."""
    return field if field in REQUIRED else _PREFIX.sub("", field)


def sentence(gettext: Callable[[str], str], message: str, field: str | None = None) -> str:
    """`message` as a translated sentence, its values kept; an unknown message comes back as the domain wrote it."""
    if message == "is required" and field and field_key(field) in REQUIRED:
        return gettext(REQUIRED[field_key(field)])
    if message in ERRORS:
        return gettext(ERRORS[message])
    for pattern, words in PATTERNS:
        found = pattern.match(message)
        if found:
            return gettext(words) % found.groupdict()
    return message
