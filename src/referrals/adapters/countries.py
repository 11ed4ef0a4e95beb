"""Countries: the ISO 3166-1 list with names in a language, and country names and codes as outsiders write them
("Italy", "ITA", "it", "Italia") → ISO 3166 alpha-2.

Names come from Babel's CLDR data; three-letter codes from CLDR's territory aliases. CLDR's two-letter territories
are ISO 3166-1's 249 countries plus codes that are not countries: groupings (EU, UN), ISO's exceptional
reservations (Ascension Island, Canary Islands, ...), Kosovo's user-assigned XK and the pseudo-locales XA and XB
("Pseudo-Accents", "Pseudo-Bidi"); those are left out everywhere a country is offered or read.
"""

from functools import lru_cache

from babel import Locale
from babel.core import get_global

from referrals.domain.text import fold

_LANGUAGES = ("en", "it", "de", "fr", "es", "pt", "nl")
_NOT_COUNTRIES = frozenset({
    "EU", "EZ", "UN", "QO", "ZZ",  # groupings and "Unknown Region"
    "AC", "CP", "CQ", "DG", "EA", "IC", "TA",  # ISO 3166's exceptional reservations
    "XA", "XB", "XK",  # CLDR's pseudo-locales and Kosovo's user-assigned code
})
_EXTRA_NAMES = {"usa": "US", "united states of america": "US", "uk": "GB", "great britain": "GB", "england": "GB"}


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(Locale("en").territories)


def _is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.isupper() and code in _codes() and code not in _NOT_COUNTRIES


@lru_cache(maxsize=8)
def country_names(language: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 3166-1 country, named in `language` and sorted by name (accents ignored)."""
    names = Locale.parse(language).territories
    return tuple(sorted(((code, names[code]) for code in _codes() if _is_country(code)),
                        key=lambda pair: fold(pair[1])))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in _LANGUAGES:
        for code, name in Locale(language).territories.items():
            if _is_country(code):
                names.setdefault(fold(name), code)
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and targets and _is_country(targets[0]):
            names.setdefault(alias.casefold(), targets[0])
    names.update(_EXTRA_NAMES)
    return names


def to_alpha2(value: str | None) -> str | None:
    """The ISO alpha-2 code for a country name or code, or None when it cannot be told."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if _is_country(text.upper()):
        return text.upper()
    return _names().get(fold(text))
