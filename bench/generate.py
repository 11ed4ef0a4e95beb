"""The benchmark data set: the demo generator scaled up, loaded through the product's own bulk path.

    .venv/bin/python bench/generate.py --db sqlite:///bench.db --leads 1000000

- 2,000 partners (fewer below 1M leads: one per 500 leads), one big partner with 20% of the leads (200,000 of
  1M), one "medium" partner with 1% (10,000: the small side of the export memory comparison), the rest spread
  with a Zipf-like skew; countries, sources, lead kinds, personas and quality come from `synthetic.sample_lead`,
  creation dates from the last year with more leads recently.
- Leads go in through `services.ingest.ingest_many` with `LeadDraft.received_at` set (a history import: no
  emails), 20,000 drafts per call, so screening, scoring, ids and rows are exactly the product's.
- Lifecycle states are then applied **set-based**, for speed at 1M: the outcome of each lead is decided here in
  Python (as the demo does), written to a staging table, and copied over with one `UPDATE ... FROM` plus one
  `INSERT ... SELECT` into lead_history per transition. The columns written are the ones the domain writes for
  that transition (`store.leadrows.lifecycle_columns`): status, outcome, accepted/archived times, closing reason,
  deal terms, version and updated_at. 10% of all leads are left received past their response deadline: the
  sweep's work.
- The big partner's admin hearts 10% of its leads (favorites).
"""

import argparse
import json
import multiprocessing
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    insert,
    text,
)

from referrals.domain import lead_search
from referrals.domain.enums import CallToAction, LeadType, Role, Status
from referrals.services.directory_admin import add_partner, add_user, create_token
from referrals.services.ingest import LeadDraft, ingest_many
from referrals.store.db import UTCDateTime, make_engine, writing
from referrals.store.migrate import upgrade
from referrals.store.tables import favorites
from referrals.synthetic import sample_lead

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PASSWORD = "bench-password"  # noqa: S105 - a throwaway benchmark user
CHUNK = 20_000
_mp = multiprocessing.get_context("fork")
DUE_SHARE = 0.10  # leads left received past their deadline, for the sweep
FAVORITE_SHARE = 0.10
CUSTOMER_TERM = "orbit"  # one of synthetic.WORDS: about 1 company in 16

_staging_meta = MetaData()
staging = Table(
    "bench_states", _staging_meta,
    Column("partner_id", String(32), primary_key=True),
    Column("id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("outcome", String(16)),
    Column("accepted_at", UTCDateTime()),
    Column("archived_at", UTCDateTime()),
    Column("closing_reason", String(32)),
    Column("closing_notes", Text),
    Column("deal_name", String(200)),
    Column("deal_amount", Numeric(14, 2)),
    Column("deal_currency", String(3)),
    Column("deal_purchase_date", Date),
    Column("deal_notes", Text),
    Column("deal_crm_id", String(100)),
    Column("deal_team", JSON),
    Column("deal_contacts", JSON),
    Column("deal_employees", JSON),
    Column("version", Integer, nullable=False),
    Column("search_text", Text, nullable=False),  # with the deal's name, without an expired lead's contacts
    Column("updated_at", UTCDateTime(), nullable=False),  # the last entry's time, as Lead._move sets it
    Column("first_action", String(32), nullable=False),  # the history entry of version 2
    Column("first_at", UTCDateTime(), nullable=False),
    Column("first_to", String(16), nullable=False),
    Column("first_outcome", String(16)),
    Column("closing_action", String(32)),  # won/lost: the entry of version 3
)


@dataclass
class BenchSet:
    """What the runner needs to know about a generated database (saved next to it as JSON)."""

    url: str
    leads: int
    partners: int
    big_partner: str
    big_leads: int
    medium_partner: str
    medium_leads: int
    big_admin_email: str
    big_admin_id: str
    big_token: str
    program_email: str
    program_token: str
    ingest_partner: str  # an empty partner that the ingest measurements write to (and clean up)
    due: int
    favorites: int
    customer_term: str
    now: str
    seconds_ingest: float
    seconds_states: float
    ingest_rate: float


def _partner_weights(count: int, rng: random.Random) -> list[float]:
    """The long tail: Zipf-like, shuffled so partner creation order says nothing."""
    weights = [1 / (rank ** 0.9) for rank in range(1, count + 1)]
    rng.shuffle(weights)
    return weights


def _state(lead, rng: random.Random, admin_of: dict[str, str], due_so_far: int, seen: int):
    """The lead's fate as the demo draws it: None (stays received) or a staging row."""
    age = NOW - lead.created_at
    if lead.informational:
        if lead.archive_due_at <= NOW:  # already retired by an earlier sweep
            return _row(lead, Status.ARCHIVED, "expired", archived_at=lead.archive_due_at, action="retired")
        return None
    if age < timedelta(days=2):
        return None
    overdue = lead.response_due_at <= NOW
    if overdue and due_so_far < DUE_SHARE * seen:
        return "due"
    if not overdue and rng.random() < 0.5:
        return None  # still deciding
    roll = rng.random()
    acted = lead.created_at + timedelta(hours=rng.randint(1, min(240, int(age.total_seconds() // 3600) or 1)))
    acted = min(acted, lead.created_at + timedelta(days=13), NOW)
    if overdue and roll < 0.15:
        return _row(lead, Status.ARCHIVED, "expired", archived_at=lead.response_due_at, action="expired")
    if roll < 0.40:
        reason = rng.choice(["budget_not_adequate", "customer_did_not_respond", "not_a_customer", "spam"])
        return _row(lead, Status.ARCHIVED, "declined", archived_at=acted, action="declined", reason=reason,
                    notes="Declined during triage.")
    deal = {
        "deal_name": f"{lead.customer.company or lead.customer.last_name} - services"[:200],
        "deal_amount": Decimal(rng.randrange(2_000, 250_000, 500)),
        "deal_currency": rng.choice(["EUR", "USD", "GBP"]),
        "deal_purchase_date": (acted + timedelta(days=rng.randint(20, 120))).date(),
        "deal_notes": "Qualified on the first call.",
        "deal_crm_id": f"CRM-{rng.randint(10000, 99999)}",
        "deal_team": [admin_of.get(lead.partner_id)] if admin_of.get(lead.partner_id) else [],
        "deal_contacts": [],
        "deal_employees": [],
    }
    closed = acted + timedelta(days=rng.randint(5, 60))
    if closed < NOW and rng.random() < 0.7:
        won = rng.random() < 0.45
        return _row(lead, Status.ARCHIVED, "won" if won else "lost", accepted_at=acted, archived_at=closed,
                    action="accepted", closing="won" if won else "lost",
                    reason=None if won else "chose_another_vendor", **deal)
    return _row(lead, Status.ACCEPTED, None, accepted_at=acted, action="accepted", **deal)


def _row(lead, status, outcome, *, action, accepted_at=None, archived_at=None, reason=None, notes=None,
         closing=None, **deal):
    first_at = accepted_at or archived_at
    shown = outcome != "expired"
    c = lead.customer
    names = " ".join(p for p in (c.first_name, c.last_name) if p)
    text = lead_search.search_text(company=c.company, deal_name=deal.get("deal_name"), external_id=lead.external_id,
                                   names=names if shown else None, email=c.email if shown else None,
                                   phone=c.phone if shown else None)
    return {
        "partner_id": lead.partner_id, "id": lead.id, "status": status.value, "outcome": outcome,
        "accepted_at": accepted_at, "archived_at": archived_at, "closing_reason": reason, "closing_notes": notes,
        "deal_name": None, "deal_amount": None, "deal_currency": None, "deal_purchase_date": None,
        "deal_notes": None, "deal_crm_id": None, "deal_team": None, "deal_contacts": None, "deal_employees": None,
        **deal,
        "version": 3 if closing else 2,
        "search_text": text,
        "updated_at": archived_at if closing else first_at,
        "first_action": action, "first_at": first_at,
        "first_to": Status.ACCEPTED.value if action == "accepted" else Status.ARCHIVED.value,
        "first_outcome": None if action == "accepted" else outcome,
        "closing_action": closing,
    }


_COPIED = ["status", "outcome", "accepted_at", "archived_at", "closing_reason", "closing_notes", "deal_name",
           "deal_amount", "deal_currency", "deal_purchase_date", "deal_notes", "deal_crm_id", "deal_team",
           "deal_contacts", "deal_employees", "version", "search_text", "updated_at"]


def _apply_states(engine: Engine) -> None:
    """The set-based part: one UPDATE ... FROM and two INSERT ... SELECT into the history."""
    sets = ", ".join(f"{c} = s.{c}" for c in _COPIED)
    with writing(engine) as conn:
        conn.execute(text(
            f"UPDATE leads SET {sets} FROM bench_states s "  # noqa: S608 - fixed column names
            "WHERE leads.partner_id = s.partner_id AND leads.id = s.id"
        ))
        details = "'{}'" if engine.dialect.name == "sqlite" else "CAST('{}' AS JSON)"
        conn.execute(text(
            "INSERT INTO lead_history (partner_id, lead_id, version, at, actor_id, actor_label, action, "
            "from_status, to_status, outcome, details) "
            f"SELECT partner_id, id, 2, first_at, NULL, 'bench', first_action, 'received', first_to, "  # noqa: S608
            f"first_outcome, {details} FROM bench_states"
        ))
        conn.execute(text(
            "INSERT INTO lead_history (partner_id, lead_id, version, at, actor_id, actor_label, action, "
            "from_status, to_status, outcome, details) "
            f"SELECT partner_id, id, 3, archived_at, NULL, 'bench', closing_action, 'accepted', 'archived', "  # noqa: S608
            f"outcome, {details} FROM bench_states WHERE closing_action IS NOT NULL"
        ))


def _draw_chunks(seed: int, owners: list[str], queue) -> None:
    rng = random.Random(seed * 7919)
    span = timedelta(days=365)
    for start in range(0, len(owners), CHUNK):
        drafts = []
        for partner_id in owners[start : start + CHUNK]:
            origin, customer, message = sample_lead(rng, NOW)
            created = NOW - span * (1 - rng.random() ** 0.7) - timedelta(seconds=rng.random())
            requested = origin.call_to_action is CallToAction.CONTACT_ME or origin.type is LeadType.PROFILE
            drafts.append(LeadDraft(
                partner_id=partner_id, origin=origin, customer=customer, message=message,
                customer_requested_contact=requested or (origin.type is None and rng.random() < 0.5),
                received_at=created,
            ))
        queue.put(drafts)


def generate(url: str, leads: int, *, seed: int = 11, partners: int | None = None,
             progress=print) -> BenchSet:
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade(engine)
    partners = partners or max(10, min(2000, leads // 500))
    big_n, medium_n = leads // 5, leads // 100

    started = time.perf_counter()
    ids, admin_of = [], {}
    for index in range(partners):
        country = rng.choice(["IT", "US", "DE", "GB", "FR", "ES", "NL"])
        made = add_partner(engine, f"Bench partner {index}", country=country, city="City",
                           contact_email=f"leads@p{index}.bench.example", contact_name="Lead desk", now=NOW)
        ids.append(made.id)
    big, medium = ids[0], ids[1]
    admin_email = "admin@big.bench.example"
    admin_id = add_user(engine, admin_email, partner_id=big, roles=[Role.REFERRALS_ADMIN], password=PASSWORD,
                        name="Big partner admin", now=NOW)
    admin_of[big] = admin_id
    big_token = create_token(engine, admin_email, name="bench", now=NOW)
    program_email = "admin@program.bench.example"
    add_user(engine, program_email, partner_id=None, roles=[Role.PROGRAM_ADMIN], password=None, now=NOW)
    program_token = create_token(engine, program_email, name="bench", now=NOW)
    ingest_partner = add_partner(engine, "Bench ingest target", country="IT", now=NOW).id
    progress(f"{partners:,} partners in {time.perf_counter() - started:.1f} s")

    tail = ids[2:]
    weights = _partner_weights(len(tail), rng)
    remaining = leads - big_n - medium_n
    owners = [big] * big_n + [medium] * medium_n + rng.choices(tail, weights=weights, k=remaining)
    rng.shuffle(owners)

    with writing(engine) as conn:
        _staging_meta.drop_all(conn)
        _staging_meta.create_all(conn)

    ingest_seconds = 0.0
    due = seen = favorite_count = 0
    # Drawing leads (phone numbers especially) costs about as much as ingesting them: a second process
    # draws the next chunk while this one ingests.
    queue = _mp.Queue(maxsize=2)
    producer = _mp.Process(target=_draw_chunks, args=(seed, owners, queue), daemon=True)
    producer.start()
    for start in range(0, leads, CHUNK):
        drafts = queue.get()
        t0 = time.perf_counter()
        results = ingest_many(engine, drafts, now=NOW)
        ingest_seconds += time.perf_counter() - t0
        rows, hearts = [], []
        for result in results:
            lead = result.lead
            seen += 1
            fate = _state(lead, rng, admin_of, due, seen)
            if fate == "due":
                due += 1
            elif fate is not None:
                rows.append(fate)
            if lead.partner_id == big and rng.random() < FAVORITE_SHARE:
                hearts.append({"partner_id": big, "user_id": admin_id, "lead_id": lead.id, "created_at": NOW})
        with writing(engine) as conn:
            if rows:
                conn.execute(insert(staging), rows)
            if hearts:
                conn.execute(insert(favorites), hearts)
        favorite_count += len(hearts)
        done = min(start + CHUNK, leads)
        progress(f"  {done:,} leads, {done / ingest_seconds:,.0f} leads/s through ingest_many")
    producer.join()

    t0 = time.perf_counter()
    _apply_states(engine)
    with writing(engine) as conn:
        _staging_meta.drop_all(conn)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    states_seconds = time.perf_counter() - t0
    progress(f"states, favorites and ANALYZE in {states_seconds:.1f} s; {due:,} leads due for the sweep")
    engine.dispose()
    return BenchSet(
        url=url, leads=leads, partners=partners, big_partner=big, big_leads=big_n, medium_partner=medium,
        medium_leads=medium_n, big_admin_email=admin_email, big_admin_id=admin_id, big_token=big_token,
        program_email=program_email, program_token=program_token, ingest_partner=ingest_partner, due=due,
        favorites=favorite_count, customer_term=CUSTOMER_TERM, now=NOW.isoformat(),
        seconds_ingest=round(ingest_seconds, 1), seconds_states=round(states_seconds, 1),
        ingest_rate=round(leads / ingest_seconds),
    )


def save(bench_set: BenchSet, path: Path) -> None:
    path.write_text(json.dumps(asdict(bench_set), indent=2))


def load(path: Path) -> BenchSet:
    return BenchSet(**json.loads(path.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--info", type=Path, required=True, help="where to write the data set's description")
    args = parser.parse_args()
    bench_set = generate(args.db, args.leads, progress=lambda m: print(m, file=sys.stderr, flush=True))
    save(bench_set, args.info)


if __name__ == "__main__":
    main()
