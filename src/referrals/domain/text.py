"""Text rules: the input policy every interface applies to text and numbers from outside, folding for search
(lower case, accents removed, so "Müller" finds "muller" and "MULLER"), and spreadsheet-safe cells."""

import math
import re
import unicodedata
from decimal import Decimal


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A spreadsheet runs a cell that starts with one of these as a formula (or as a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: str) -> str:
    """Spreadsheet-safe: a cell that would start a formula is turned into text with a leading apostrophe.
    The CSV export applies the same rule in SQL (`store.csvcells`)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


PLAIN_PHONE_CHARACTERS = "+0123456789 "


def is_plain_phone(value: str) -> bool:
    """Digits and spaces, perhaps after one leading `+`: nothing a spreadsheet runs (`+39 02 4567 8910` is read as
    text or a number, never a formula), so a CRM import gets the number as stored."""
    body = value[1:] if value.startswith("+") else value
    return bool(body.strip()) and all(ch in "0123456789 " for ch in body)


def safe_phone_cell(value: str, judged_valid: bool) -> str:
    """A phone number judged valid and plain is written as stored; anything else keeps the guard (`safe_cell`).
    The CSV export applies the same rule in SQL (`store.csvcells`)."""
    return value if judged_valid and is_plain_phone(value) else safe_cell(value)


# -- the input policy: what any text or number the outside world sends must be, on every database ------------

# Lone surrogates cannot be encoded as UTF-8 (no database stores them); NUL ends a string in C (PostgreSQL refuses
# it, SQLite would keep it); other control characters are invisible and break CSV, email headers and the pages.
# Multi-line text keeps its tabs and line feeds; CRLF, as browsers send textareas, becomes LF.
_REFUSED_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What breaks the input policy in `value` (already normalised), worded to follow a field's name; None
    when it is fine. Single-line text (names, emails, phones, ids, titles) allows no control character at
    all; multi-line text (messages, notes, descriptions) allows tab and line feed."""
    found = (_REFUSED_IN_TEXT if multiline else _REFUSED_IN_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return f"is not valid Unicode text (a lone surrogate, U+{ord(char):04X})"
    if char == "\x00":
        return "must not contain NUL characters"
    if char in "\n\r" and not multiline:
        return "must be a single line"
    return f"must not contain control characters (U+{ord(char):04X})"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The value as it is kept (CRLF made LF), or ValueError with the problem."""
    value = normalise_newlines(value)
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise ValueError(problem)
    return value


def number_problem(value: float | Decimal) -> str | None:
    """NaN and infinities (JSON's 1e400 reads as infinity) are numbers no database agrees on: SQLite would
    keep them, PostgreSQL refuses them."""
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    return None if finite else "must be a finite number"
