"""The program's spam block list: whole addresses and domains, edited by program admins or operators.

A new entry applies to leads arriving after the change (in other processes within a minute, when
their screening cache expires); leads already received keep the verdict they arrived with.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from referrals.domain.errors import InvalidInput, NotFound
from referrals.domain.validity import normalize_block_entry
from referrals.services.screening import invalidate
from referrals.store import blocklist as store
from referrals.store.db import reading, writing


@dataclass(frozen=True)
class BlockEntry:
    entry: str
    reason: str
    created_at: datetime


def add_entry(engine: Engine, entry: str, *, reason: str = "", now: datetime) -> BlockEntry:
    """Block an address or a domain. Adding an entry again only replaces its reason (when one is given)."""
    normalized = normalize_block_entry(entry)
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise InvalidInput("The reason is longer than 200 characters.", fields={"reason": "is too long"})
    with writing(engine) as conn:
        existing = store.find_entry(conn, normalized)
        if existing is not None:
            if reason and reason != existing.reason:
                store.set_reason(conn, normalized, reason)
            else:
                reason = existing.reason
            now = existing.created_at
        else:
            store.add_entry(conn, normalized, reason, now)
    invalidate()
    return BlockEntry(normalized, reason, now)


def list_entries(engine: Engine) -> list[BlockEntry]:
    with reading(engine) as conn:
        rows = store.all_entries(conn)
    return [BlockEntry(r.entry, r.reason, r.created_at) for r in rows]


def remove_entry(engine: Engine, entry: str) -> None:
    normalized = normalize_block_entry(entry)
    with writing(engine) as conn:
        removed = store.remove_entry(conn, normalized)
    if not removed:
        raise NotFound(f"{normalized} is not on the block list.")
    invalidate()
