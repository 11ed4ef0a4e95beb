"""The domain's field messages in the reader's language, as sentences (web/field_sentences.py)."""

from referrals.web import i18n
from referrals.web.field_sentences import PATTERNS, field_key, sentence

__all__ = ["PATTERNS", "explain", "explain_all", "explain_fields", "field_key"]


def explain(language: str, message: str, field: str | None = None) -> str:
    """`message` translated, its values kept; an unknown message is shown as the domain wrote it."""
    return sentence(i18n.translations(language).gettext, message, field)


def explain_all(language: str, errors: dict[str, str]) -> dict[str, str]:
    return {name: explain(language, message, name) for name, message in errors.items()}


def explain_fields(language: str, errors: dict[str, str], own: dict[str, str]) -> dict[str, str]:
    """Each field's message as a sentence: a page's `own` sentences first (the messages only it shows), then the
    shared ones (web/field_sentences.py)."""
    gettext = i18n.translations(language).gettext
    return {name: gettext(own[message]) if message in own else explain(language, message, name)
            for name, message in errors.items()}
