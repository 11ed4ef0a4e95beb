"""Text folding for search: lower case, accents removed, so "Müller" finds "muller" and "MULLER"."""

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
