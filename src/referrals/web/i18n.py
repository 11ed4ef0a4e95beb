"""Languages of the pages: Babel catalogues, one Jinja environment per language, and the formatting of
dates, numbers, money and countries for the reader's language and the partner's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, dates, numbers
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from referrals.adapters.countries import country_names
from referrals.web import labels
from referrals.web.field_sentences import sentence
from referrals.web.quality_view import quality_view
from referrals.web.spam_words import spam_reason_words

LANGUAGES = ("en", "it")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def negotiate(accept_language: str | None) -> str | None:
    """The first of our languages in an Accept-Language header, by its q-values."""
    choices = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        choices.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, language in sorted(choices):
        if language in LANGUAGES:
            return language
    return None


def choose_language(preference: str | None, chosen: str | None, accept_language: str | None, *,
                    signed_in: bool = False) -> str:
    """A signed-in user's language is their setting (`preference`), and a setting of None follows the browser's
    Accept-Language, whatever was picked before signing in. A visitor's is what they picked in this session
    (`chosen`), else the browser's."""
    candidates = (preference,) if signed_in else (preference, chosen)
    for candidate in (*candidates, negotiate(accept_language)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(("html",)),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _quick_gettext(translations(language).gettext)
    return env


def _quick_gettext(lookup):
    """`_()` for the pages: what Jinja's own newstyle `_` does (the translation as Markup, then its `%(name)s`
    values filled in and escaped, "%%" read as a percent sign), with each message looked up once per process.
    Jinja's version goes through three context calls a message, and a list page says some 800 messages
    (issue 14: the page's speed; docs/performance.md)."""
    known: dict[str, tuple[Markup, bool]] = {}

    def _(message: str, **values) -> Markup:
        found = known.get(message)
        if found is None:
            words = Markup(lookup(message))  # noqa: S704 - our catalogue, trusted as Jinja does
            found = known[message] = (words, "%" in words)
        words, formatted = found
        return words % values if formatted or values else words

    return _


@lru_cache(maxsize=len(LANGUAGES))
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


@lru_cache(maxsize=len(LANGUAGES))
def _whole_percents(language: str) -> tuple[str, ...]:
    """0% to 100% in this language, as Babel writes them (a list page shows fifty chances to convert)."""
    return tuple(numbers.format_percent(Decimal(n) / 100, locale=language) for n in range(101))


def _hundredths(value: float) -> int:
    """A share in whole percent, rounded as Babel rounds it (its decimal of `str(value)`, half to even)."""
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


class Formatter:
    """Everything a template formats, for one reader: language, time zone and the request's clock."""

    def __init__(self, language: str, timezone: str, now: datetime, quality_threshold: float = 0.5):
        self.language = language
        self.quality_threshold = quality_threshold
        self.locale = Locale.parse(language)
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = ZoneInfo("UTC")
        self.now = now
        self._gettext = translations(language).gettext
        self._days: dict[date, str] = {}  # a list's rows share their days: each formatted once a page

    def _(self, message: str) -> str:
        return self._gettext(message)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self.tz)
        day = dates.format_date(local, "medium", locale=self.locale)
        return f"{day}, {dates.format_time(local, 'short', locale=self.locale)}"

    def date(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        words = self._days.get(value)
        if words is None:
            words = self._days[value] = dates.format_date(value, "medium", locale=self.locale)
        return words

    def today(self) -> str:
        """Today in the reader's time zone (a partner user's: their partner's), as YYYY-MM-DD."""
        return self.now.astimezone(self.tz).date().isoformat()

    def iso_local(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).isoformat() if value else ""

    def relative(self, value: datetime | None) -> str:
        """"in 3 days" / "tra 3 giorni", "2 hours ago" / "2 ore fa"."""
        if value is None:
            return ""
        # threshold 3: "in 13 days" rather than "in 2 weeks" for a 14-day response window
        return dates.format_timedelta(value - self.now, add_direction=True, threshold=3, locale=self.locale)

    def age(self, delta: timedelta) -> str:
        return dates.format_timedelta(delta, threshold=3, locale=self.locale)

    def number(self, value) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def count(self, count) -> str:
        """A capped count (domain/list_position.py: Count): "1,234", or "10,000+" past the cap."""
        return self.number(count.value) + ("+" if count.capped else "")

    def percent(self, value: float) -> str:
        if isinstance(value, float) and 0.0 <= value <= 1.0:
            return _whole_percents(self.language)[_hundredths(value)]
        return numbers.format_percent(value, locale=self.locale)

    def money(self, amount: Decimal | None, currency: str | None) -> str:
        if amount is None or not currency:
            return ""
        return numbers.format_currency(amount, currency, locale=self.locale)

    def country(self, code: str | None) -> str:
        if not code:
            return ""
        return _territories(self.language).get(code, code)

    def countries(self) -> tuple[tuple[str, str], ...]:
        """(code, name) of every ISO 3166-1 country, sorted by name in this language."""
        return country_names(self.language)

    def label(self, value, kind: str | None = None) -> str:
        """The words for a vocabulary value: an enum member, or a stored string with its enum's name."""
        if value is None or value == "":
            return ""
        if isinstance(value, Enum):
            kind = type(value).__name__
        words = labels.LABELS.get((kind or "", str(value)))
        return self._gettext(words) if words else str(value)

    def quality(self, label, probability, factors=()):
        """A lead's quality for the pages (web/quality_view.py)."""
        return quality_view(self, label, probability, factors, self.quality_threshold)

    def spam_reason(self, reason) -> str:
        """One stored spam warning in this language (web/spam_words.py)."""
        return spam_reason_words(self._gettext, reason)

    def field_error(self, message: str, field: str | None = None) -> str:
        """A field's error as a sentence in this language (web/pages/field_messages.py)."""
        explained = sentence(self._gettext, message, field)
        return self._gettext(explained) if explained == message else explained
