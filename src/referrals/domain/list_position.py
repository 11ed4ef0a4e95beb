"""Where a page of the lead list sits: "1–50 of 1,234". The count is exact up to COUNT_CAP and "10,000+" past
it (counting a big partner's every lead for each page would cost more than the page); the position is the page
number the pages' cursor carries, so keyset pagination stays (no OFFSET)."""

from dataclasses import dataclass

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Count:
    value: int  # at most COUNT_CAP + 1 when capped
    capped: bool  # True: there are more than COUNT_CAP

    @classmethod
    def of(cls, counted: int, *, exact: bool = False) -> "Count":
        """`counted` from a count that stops at COUNT_CAP + 1 (or an exact one, `exact=True`)."""
        if exact or counted <= COUNT_CAP:
            return cls(counted, False)
        return cls(COUNT_CAP, True)


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
