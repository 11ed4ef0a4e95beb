"""The domain's field messages in the reader's language, including the ones that carry a value
("is longer than 200 characters", "at most 5 locations per country (IT)"): each pattern keeps its value."""

import re

from referrals.web import i18n
from referrals.web.labels import ERRORS, N_

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^is longer than (?P<max>\d+) characters$"), N_("is longer than %(max)s characters")),
    (re.compile(r"^.* is not a valid email address$"), N_("is not a valid email address")),
    (re.compile(r"^must be given so the partner may contact you$"), N_("must be given so the partner may contact you")),
    (re.compile(r"^is not a location of this partner$"), N_("is not a location of this partner")),
    (re.compile(r"^must start with https:// or http://$"), N_("must start with https:// or http://")),
    (re.compile(r"^holds at most (?P<max>\d+) entries$"), N_("holds at most %(max)s entries")),
    (re.compile(r"^entries must be 1 to 100 characters$"), N_("entries must be 1 to 100 characters")),
    (re.compile(r"^unknown values: (?P<values>.*)$"), N_("unknown values: %(values)s")),
    (re.compile(r"^not ISO 3166 alpha-2 codes: (?P<values>.*)$"), N_("unknown countries: %(values)s")),
    (re.compile(r"^must be an ISO 3166 alpha-2 code$"), N_("choose a country")),
    (re.compile(r"^at most (?P<max>\d+) locations per country \((?P<values>.*)\)$"),
     N_("at most %(max)s locations per country (%(values)s)")),
    (re.compile(r"^a published profile needs at least one location$"),
     N_("a published profile needs at least one location")),
    (re.compile(r"^unknown ids: (?P<values>.*)$"), N_("contains locations that are not yours")),
    (re.compile(r"^removes a used location$"),
     N_("removes a location that already has leads: keep it, or change its details instead")),
    (re.compile(r"^must be left empty$"), N_("must be left empty")),
)


def explain(language: str, message: str) -> str:
    """`message` translated, its values kept; an unknown message is shown as the domain wrote it."""
    if message in ERRORS:
        return i18n.gettext(language, ERRORS[message])
    for pattern, words in PATTERNS:
        found = pattern.match(message)
        if found:
            return i18n.gettext(language, words) % found.groupdict()
    return message


def explain_all(language: str, errors: dict[str, str]) -> dict[str, str]:
    return {name: explain(language, message) for name, message in errors.items()}
