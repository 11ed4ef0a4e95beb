"""Where a page sits in the list: "1–50 of 1,234" from the page number the pages' cursor carries."""

from referrals.domain.list_position import Count, Position
from referrals.web.pages.forms import page_cursor, read_page_cursor


def test_a_page_knows_its_first_and_last_lead():
    assert Position.of(1, 50, 50, Count(1234, False)) == Position(1, 50, Count(1234, False))
    assert Position.of(3, 50, 34, Count(134, False)) == Position(101, 134, Count(134, False))
    assert Position.of(1, 50, 0, Count(0, False)).first == 0


def test_the_pages_cursor_carries_the_page_number_before_the_keyset_cursor():
    assert read_page_cursor(None) == (1, None)
    assert read_page_cursor(page_cursor(2, "WyItY3JlYXRlZF9hdCJd")) == (2, "WyItY3JlYXRlZF9hdCJd")
    assert read_page_cursor("WyItY3JlYXRlZF9hdCJd") == (0, "WyItY3JlYXRlZF9hdCJd")  # an older link: no position
    assert read_page_cursor("1.abc") == (0, "1.abc")  # page 1 has no cursor
