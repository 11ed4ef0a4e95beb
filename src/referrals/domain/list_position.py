"""Where a page of the lead list sits: "1–50 of 1,234". The count is exact up to COUNT_CAP and "10,000+" past
it (counting a big partner's every lead for each page would cost more than the page), and up to SEARCH_COUNT_CAP
for a view with a text search; the position is the page number the pages' cursor carries, so keyset pagination
stays (no OFFSET)."""

from dataclasses import dataclass

from referrals.domain.listing import LeadFilter

COUNT_CAP = 10_000
# A search's count tests the term on every lead it walks past, until it has found one more than the cap: over a
# partner of 200,000 leads, 50-80 ms on SQLite for a term found thousands of times with 10,000, 5 ms with 1,000.
# Past a thousand matches, a person narrows the search rather than reads the number.
SEARCH_COUNT_CAP = 1_000


def count_cap(f: LeadFilter) -> int:
    """Where the count of a view stops: lower for a text search (`q`, `customer`)."""
    return SEARCH_COUNT_CAP if f.has_text() else COUNT_CAP


@dataclass(frozen=True)
class Count:
    value: int  # the cap when capped
    capped: bool  # True: there are more than the cap

    @classmethod
    def of(cls, counted: int, *, exact: bool = False, cap: int = COUNT_CAP) -> "Count":
        """`counted` from a count that stops at cap + 1 (or an exact one, `exact=True`)."""
        if exact or counted <= cap:
            return cls(counted, False)
        return cls(cap, True)


@dataclass(frozen=True)
class Position:
    first: int  # 1-based number of the page's first lead; 0 for an empty page
    last: int
    total: Count

    @classmethod
    def of(cls, page: int, limit: int, shown: int, total: Count) -> "Position":
        if shown == 0:
            return cls(0, 0, total)
        first = (max(page, 1) - 1) * limit + 1
        return cls(first, first + shown - 1, total)
