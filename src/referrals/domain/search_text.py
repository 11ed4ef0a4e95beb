"""Search terms: folded (case and accents ignored) and lightly stemmed for English and Italian, so
"Consulenze" finds "consulenza" and "Integrations" finds "integration"."""

import re

from referrals.domain.text import fold

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "by",
        "or",
        "our",
        "we",
        "you",
        "your",
        "is",
        "are",
        "be",
        "da",
        "di",
        "del",
        "della",
        "dei",
        "delle",
        "e",
        "ed",
        "il",
        "la",
        "le",
        "lo",
        "gli",
        "i",
        "un",
        "una",
        "per",
        "con",
        "su",
        "tra",
        "fra",
        "che",
    ]
)
# Longest first; a suffix is removed only when at least four letters remain.
_SUFFIXES = (
    "azioni",
    "azione",
    "amenti",
    "amento",
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ies",
    "ers",
    "ze",
    "za",
    "zi",
    "zo",
    "es",
    "ed",
    "er",
    "s",
    "i",
    "e",
    "a",
    "o",
)


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """The distinct search terms of a text, in order of appearance."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if word not in _STOP and len(word) > 1:
            seen.setdefault(stem(word), None)
    return list(seen)
