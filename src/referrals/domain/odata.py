"""The OData query subset of the Referrals-API-compatible endpoint (docs/integrations.md): `$filter` with `eq`, `ne`,
`gt`, `ge`, `lt`, `le`, `and`, `or` and parentheses over string and datetime literals; `$orderby` on one date;
`$top`, `$count`, `$select` and `$skiptoken`. Anything else is refused with `UnsupportedQuery` naming it (the vendor
answers 400 there; our own API keeps 422 for its parameters).

The parser only reads the text: which fields exist and which values they take is the referral's declaration
(`domain/referral_compat.py: FILTERABLE`), passed in.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from referrals.domain.errors import DomainError

MAX_TOP = 100
MAX_FILTER_LENGTH = 2000
MAX_DEPTH = 20


class UnsupportedQuery(DomainError):
    """A query option, operator, field or literal outside the supported subset; `fields` names the option."""

    code = "bad_request"

    def __init__(self, option: str, message: str):
        super().__init__(message, fields={option: message})
        self.option = option


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


ORDERING = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})


class Kind(StrEnum):
    CHOICE = "choice"  # a string from a fixed list: eq and ne only
    TEXT = "text"  # a free string (a country code): eq and ne only
    DATETIME = "datetime"  # every comparison


@dataclass(frozen=True)
class Comparison:
    field: str
    op: Op
    value: str | datetime


@dataclass(frozen=True)
class Both:
    left: "Expression"
    right: "Expression"


@dataclass(frozen=True)
class Either:
    left: "Expression"
    right: "Expression"


Expression = Comparison | Both | Either


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    values: tuple[str, ...] = ()  # CHOICE: the values it takes


# -- tokens --------------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')"
    r"|(?P<datetime>\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)"
    r"|(?P<paren>[()])"
    r"|(?P<word>[A-Za-z_$][A-Za-z0-9_/.$]*)"
    r"|(?P<other>\S+?(?=[\s()]|$)))"
)
_WORDS = {"and", "or"} | {op.value for op in Op}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    found, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:  # an unterminated string
            raise UnsupportedQuery("$filter", f"Unterminated or invalid text at {text[position:].strip()[:40]!r}.")
        kind = match.lastgroup or "other"
        found.append(_Token(kind, match.group(kind)))
        position = match.end()
    return found


# -- $filter -------------------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent: `or` binds looser than `and`, both left to right; parentheses group."""

    def __init__(self, tokens: list[_Token], fields: Mapping[str, FieldSpec]):
        self.tokens, self.at, self.fields, self.depth = tokens, 0, fields, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise UnsupportedQuery("$filter", "The filter ends too early: a comparison or ')' is missing.")
        self.at += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text == word:
            self.at += 1
            return True
        return False

    def expression(self) -> Expression:
        left = self.conjunction()
        while self.keyword("or"):
            left = Either(left, self.conjunction())
        return left

    def conjunction(self) -> Expression:
        left = self.primary()
        while self.keyword("and"):
            left = Both(left, self.primary())
        return left

    def primary(self) -> Expression:
        token = self.take()
        if token.kind == "paren" and token.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise UnsupportedQuery("$filter", f"Parentheses nest at most {MAX_DEPTH} deep.")
            inner = self.expression()
            closing = self.take()
            if closing.text != ")":
                raise UnsupportedQuery("$filter", f"Expected ')' but found {closing.text!r}.")
            self.depth -= 1
            return inner
        if token.kind == "word" and token.text == "not":
            raise UnsupportedQuery("$filter", "The operator 'not' is not supported (use ne).")
        if token.kind != "word" or token.text in _WORDS:
            raise UnsupportedQuery("$filter", f"Expected a field name but found {token.text!r}.")
        return self.comparison(token.text)

    def comparison(self, name: str) -> Comparison:
        spec = self.fields.get(name)
        following = self.peek()
        if following is not None and following.text == "(":
            raise UnsupportedQuery("$filter", f"The function {name}() is not supported.")
        if spec is None:
            known = ", ".join(self.fields)
            raise UnsupportedQuery("$filter", f"The field {name!r} cannot be filtered on (supported: {known}).")
        op_token = self.take()
        try:
            op = Op(op_token.text)
        except ValueError:
            raise UnsupportedQuery("$filter", f"The operator {op_token.text!r} is not supported "
                                              "(supported: eq, ne, gt, ge, lt, le, and, or).") from None
        if op in ORDERING and spec.kind is not Kind.DATETIME:
            raise UnsupportedQuery("$filter", f"The operator {op} is not supported on {name} (only eq and ne).")
        return Comparison(name, op, _literal(self.take(), name, spec))


def _literal(token: _Token, name: str, spec: FieldSpec) -> str | datetime:
    if spec.kind is Kind.DATETIME:
        if token.kind == "datetime":
            return _datetime(token.text, name)
        if token.kind == "string":
            return _datetime(token.text[1:-1].replace("''", "'"), name)
        raise UnsupportedQuery("$filter", f"{name} compares with a datetime literal, not {token.text!r}.")
    if token.kind != "string":
        raise UnsupportedQuery("$filter", f"{name} compares with a string literal in quotes, not {token.text!r}.")
    value = token.text[1:-1].replace("''", "'")
    if spec.kind is Kind.CHOICE and value not in spec.values:
        raise UnsupportedQuery("$filter", f"{value!r} is not a value of {name} (one of: {', '.join(spec.values)}).")
    return value


def _datetime(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UnsupportedQuery("$filter", f"{text!r} is not a datetime for {name}.") from None
    if value.tzinfo is None:
        raise UnsupportedQuery("$filter", f"{text!r} needs a time zone (Z or +hh:mm) for {name}.")
    return value


def parse_filter(text: str, fields: Mapping[str, FieldSpec]) -> Expression | None:
    """The filter's expression tree, or None for an empty filter."""
    if len(text) > MAX_FILTER_LENGTH:
        raise UnsupportedQuery("$filter", f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    tokens = _tokens(text)
    if not tokens:
        return None
    parser = _Parser(tokens, fields)
    expression = parser.expression()
    extra = parser.peek()
    if extra is not None:
        word = "operator" if extra.kind == "word" else "text"
        raise UnsupportedQuery("$filter", f"The {word} {extra.text!r} is not supported here.")
    return expression


# -- the other options ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderBy:
    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    filter: Expression | None = None
    order: OrderBy = OrderBy("createdDateTime", False)
    top: int = MAX_TOP
    count: bool = False
    select: tuple[str, ...] = ()  # empty: every field
    skiptoken: str | None = None


OPTIONS = ("$filter", "$orderby", "$top", "$count", "$select", "$skiptoken")


def parse_orderby(text: str, orderable: tuple[str, ...]) -> OrderBy:
    parts = text.split()
    if len(parts) not in (1, 2) or "," in text:
        raise UnsupportedQuery("$orderby", f"Order by one field, optionally followed by asc or desc; not {text!r}.")
    if parts[0] not in orderable:
        raise UnsupportedQuery("$orderby", f"Cannot order by {parts[0]!r} (supported: {', '.join(orderable)}).")
    direction = parts[1] if len(parts) == 2 else "asc"
    if direction not in ("asc", "desc"):
        raise UnsupportedQuery("$orderby", f"The direction {direction!r} is not supported (asc or desc).")
    return OrderBy(parts[0], direction == "desc")


def parse_top(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_TOP:
        raise UnsupportedQuery("$top", f"$top must be a whole number from 1 to {MAX_TOP}, not {text!r}.")
    return int(text)


def parse_count(text: str) -> bool:
    if text not in ("true", "false"):
        raise UnsupportedQuery("$count", f"$count must be true or false, not {text!r}.")
    return text == "true"


def parse_select(text: str, selectable: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(","))
    for name in names:
        if name not in selectable:
            raise UnsupportedQuery("$select", f"Cannot select {name!r}: only top-level fields "
                                              f"({', '.join(selectable)}).")
    return names


def parse_query(params: list[tuple[str, str]], fields: Mapping[str, FieldSpec], orderable: tuple[str, ...],
                selectable: tuple[str, ...]) -> Query:
    """The query options of a list request (each at most once); an unknown option is refused by name."""
    seen: dict[str, str] = {}
    for name, value in params:
        if name not in OPTIONS:
            raise UnsupportedQuery(name, f"The query option {name!r} is not supported "
                                         f"(supported: {', '.join(OPTIONS)}).")
        if name in seen:
            raise UnsupportedQuery(name, f"The query option {name!r} is given twice.")
        seen[name] = value
    return Query(
        filter=parse_filter(seen["$filter"], fields) if "$filter" in seen else None,
        order=parse_orderby(seen["$orderby"], orderable) if "$orderby" in seen else Query.order,
        top=parse_top(seen["$top"]) if "$top" in seen else MAX_TOP,
        count=parse_count(seen["$count"]) if "$count" in seen else False,
        select=parse_select(seen["$select"], selectable) if "$select" in seen else (),
        skiptoken=seen.get("$skiptoken") or None,
    )
