"""Keep SQLite's planner on the search's own index. With a search term, a page newest first is fastest walking
`ix_leads_search` (partner, created_at, id, search_text): the term is tested on the index entry, and a row is read
only when it matches. Given a tab or a status too, SQLite prefers the index of that equality (`ix_leads_tab_created`,
`ix_leads_status_created`) and then reads every row of it to test the term: 1 s instead of 0.1 s for a rare term over
200,000 leads. Written `+column`, a column cannot lead SQLite to an index (its documented way to say so); other
databases get the column as it is (PostgreSQL plans the search with its trigram index).

PostgreSQL has the opposite case: a page of the urgency sort's waiting group (nearest deadline first) under a common
term. Its planner builds the trigram bitmap of every one of the partner's matches (11,704 for "orbit" over the 1M
set's big partner, 9-11 ms) and ANDs it with the waiting leads'. `off_trigrams` writes the search text
`(search_text || '')` there, an expression no index holds, so the term is tested on the partner's waiting leads
(`ix_leads_waiting`): bounded by how many leads wait for an answer whatever the term (4,037 rows, 7 ms, for that
partner; a rare term's bitmap took 0.1 ms, a common one's 16)."""

from typing import Any

from sqlalchemy import Column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from referrals.store.tables import leads

_KEPT = frozenset({"partner_id", "id", "created_at", "search_text"})  # what ix_leads_search holds


class _Written(ColumnElement):
    """A `leads` column written another way on one database (each subclass says which), as it is elsewhere."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Column) -> None:
        self.column = column
        self.type = column.type


@compiles(_Written)
def _as_it_is(element: _Written, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


class Unindexed(_Written):
    inherit_cache = True


@compiles(Unindexed, "sqlite")
def _unary_plus(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def _swap(element: Any) -> Any:
    if isinstance(element, Column) and element.table is leads and element.name not in _KEPT:
        return Unindexed(element)
    return None


def off_index(clause: Any) -> Any:
    """The clause with every `leads` column but the search index's own written so that SQLite uses no index for it."""
    return visitors.replacement_traverse(clause, {}, _swap)


class Untrigrammed(_Written):
    inherit_cache = True


@compiles(Untrigrammed, "postgresql")
def _concatenated(element: Untrigrammed, compiler: Any, **kw: Any) -> str:
    return "(" + compiler.process(element.column, **kw) + " || '')"


def _swap_search(element: Any) -> Any:
    if isinstance(element, Column) and element.table is leads and element.name == "search_text":
        return Untrigrammed(element)
    return None


def off_trigrams(clause: Any) -> Any:
    """The clause with the search text written so that PostgreSQL's trigram index cannot serve it."""
    return visitors.replacement_traverse(clause, {}, _swap_search)
