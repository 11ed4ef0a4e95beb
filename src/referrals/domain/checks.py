"""Small input checks shared by the rules. They collect every problem before raising, so a caller
can show each error next to its field."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from email_validator import EmailNotValidError, validate_email

from referrals.domain.errors import InvalidInput
from referrals.domain.text import text_problem

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class Problems:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    # Every text check applies the input policy (domain/text.py) first: single-line unless `multiline`.

    def require_text(self, field: str, value: str | None, *, max_length: int = 2000, multiline: bool = False) -> None:
        if value is None or not value.strip():
            self.add(field, "is required")
        else:
            self.limit_text(field, value, max_length=max_length, multiline=multiline)

    def limit_text(self, field: str, value: str | None, *, max_length: int = 2000, multiline: bool = False) -> None:
        if value is None:
            return
        if (problem := text_problem(value, multiline=multiline)) is not None:
            self.add(field, problem)
        elif len(value) > max_length:
            self.add(field, f"is longer than {max_length} characters")

    def check_text(self, field: str, value: str | None) -> None:
        """A single-line value with no length of its own to check (an id, a code)."""
        if value is not None and (problem := text_problem(value)) is not None:
            self.add(field, problem)

    def require_email(self, field: str, value: str | None, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(field, "is required")
            return
        if (problem := text_problem(value)) is not None:
            self.add(field, problem)
        elif not is_email_syntax(value):
            self.add(field, f"{value!r} is not a valid email address")


@contextmanager
def collecting(summary: str) -> Iterator[Problems]:
    problems = Problems()
    yield problems
    if problems.fields:
        details = "; ".join(f"{name} {message}" for name, message in problems.fields.items())
        raise InvalidInput(f"{summary}: {details}", fields=problems.fields)


def is_email_syntax(value: str) -> bool:
    """Syntax only: deliverability is never checked here (that needs the network)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def is_country_code(value: str | None) -> bool:
    return value is not None and bool(_COUNTRY.fullmatch(value))
