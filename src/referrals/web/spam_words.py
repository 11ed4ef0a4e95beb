"""A lead's spam warnings in the reader's language.

The domain stores each warning as an English phrase (`domain/validity.py`: the email's and the message's spam
reasons), in the lead's row and in the API, where scripts read them as they are. The pages say them in the reader's
language: each shape the domain writes is matched here and said with its translated sentence; a phrase no shape
matches (written by an older version, or a block-list entry's own note) is shown as stored.
"""

import re
from collections.abc import Callable
from typing import Any

from referrals.web.labels import N_

# (the stored phrase's shape, the sentence with its parts as %(value)s and %(why)s); the first that matches wins
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), sentence) for pattern, sentence in (
    (r"marketplace test lead \(MSFT_TEST\)", N_("Marketplace test lead (MSFT_TEST)")),
    (r"disposable email domain \((?P<value>.+)\)", N_("Disposable email domain (%(value)s)")),
    (r"blocked address: (?P<why>.+)", N_("Blocked address: %(why)s")),
    (r"blocked address", N_("Blocked address")),
    (r"blocked domain (?P<value>\S+): (?P<why>.+)", N_("Blocked domain %(value)s: %(why)s")),
    (r"blocked domain (?P<value>\S+)", N_("Blocked domain %(value)s")),
    (r"made-up address \((?P<value>.+) is not a real mail domain\)",
     N_("Made-up address (%(value)s is not a real mail domain)")),
    (r"made-up address \(keyboard pattern\)", N_("Made-up address (a keyboard pattern)")),
    (r"made-up address \((?P<value>.+)\)", N_("Made-up address (%(value)s)")),
    (r"message reads like spam \((?P<value>\d+) links\)", N_("The message reads like spam (%(value)s links)")),
    (r"message reads like spam \((?P<value>.+)\)", N_("The message reads like spam (%(value)s)")),
))


def spam_reason_words(translate: Callable[[str], str], reason: Any) -> str:
    """One stored spam warning as a sentence in the reader's language (`translate` is the page's `_`)."""
    text = str(reason)
    for shape, sentence in SHAPES:
        found = shape.fullmatch(text)
        if found:
            return translate(sentence) % {"value": found.groupdict().get("value"), "why": found.groupdict().get("why")}
    return text
