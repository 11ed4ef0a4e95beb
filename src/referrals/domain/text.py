"""Text rules: folding for search (lower case, accents removed, so "Müller" finds "muller" and "MULLER"), and
spreadsheet-safe cells."""

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# A spreadsheet runs a cell that starts with one of these as a formula (or as a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: str) -> str:
    """Spreadsheet-safe: a cell that would start a formula is turned into text with a leading apostrophe.
    The CSV export applies the same rule in SQL (`store.csvcells`)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
