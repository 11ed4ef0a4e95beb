"""The directory's own index of published profiles: search terms with the weight of their best field
(`profile_terms`) and filterable facets (`profile_facets`), identical on both databases."""

from collections.abc import Iterable

from sqlalchemy import Connection, Result, Select, delete, insert, select

from referrals.store.scope import of_partner
from referrals.store.tables import profile_facets, profile_terms, profiles


def clear_index(conn: Connection, partner_id: str) -> None:
    conn.execute(delete(profile_terms).where(of_partner(profile_terms, partner_id)))
    conn.execute(delete(profile_facets).where(of_partner(profile_facets, partner_id)))


def add_to_index(
    conn: Connection, partner_id: str, weights: dict[str, float], facets: Iterable[tuple[str, str]]
) -> None:
    """Index a published profile (after `clear_index`): its terms with their weights and its (facet, value)s."""
    if weights:
        conn.execute(
            insert(profile_terms),
            [{"partner_id": partner_id, "term": term, "weight": weight} for term, weight in weights.items()],
        )
    conn.execute(
        insert(profile_facets),
        [{"partner_id": partner_id, "facet": facet, "value": value} for facet, value in facets],
    )


def _published(country: str | None) -> Select:
    """The partners with a published profile, serving `country` when one is given."""
    published = select(profiles.c.partner_id).where(profiles.c.published.is_(True))
    if country:
        published = published.where(
            profiles.c.partner_id.in_(
                select(profile_facets.c.partner_id).where(
                    profile_facets.c.facet == "country", profile_facets.c.value == country
                )
            )
        )
    return published


def published_partners(conn: Connection, country: str | None) -> list[str]:
    return list(conn.execute(_published(country)).scalars())


def term_matches(conn: Connection, query_terms: list[str], country: str | None) -> Result:
    """(partner_id, term, weight) of every query term in a published profile (serving `country`, if given)."""
    return conn.execute(
        select(profile_terms.c.partner_id, profile_terms.c.term, profile_terms.c.weight).where(
            profile_terms.c.term.in_(query_terms), profile_terms.c.partner_id.in_(_published(country))
        )
    )
