"""The benchmark runner: list, export, ingest, sweep and the list page, each next to the same work done with
hand-written SQL on the same indexes (the floor), on SQLite or PostgreSQL.

    .venv/bin/python bench/runner.py --backend sqlite --leads 100000          # generate, then measure
    .venv/bin/python bench/runner.py --backend postgresql --leads 1000000
    .venv/bin/python bench/runner.py --backend sqlite --reuse /path/info.json # measure an existing data set

Writes bench/results/<date>-<backend>.json and the backend's table in docs/performance.md. A fresh SQLite
file (in a temporary folder) or PostgreSQL database (`bench_<pid>`, dropped afterwards) is made unless
--reuse names a data set that bench/generate.py wrote.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import delete, event, func, inspect, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
import report  # noqa: E402
from referrals.domain.enums import Role  # noqa: E402
from referrals.domain.listing import LeadFilter, PageRequest, Sort, Tab  # noqa: E402
from referrals.services.auth import principal_for_user  # noqa: E402
from referrals.services.directory_admin import add_user, create_token  # noqa: E402
from referrals.services.ingest import LeadDraft, ingest_many  # noqa: E402
from referrals.services.reading import list_leads  # noqa: E402
from referrals.services.sweep import sweep  # noqa: E402
from referrals.store.db import make_engine, reading, writing  # noqa: E402
from referrals.store.migrate import upgrade  # noqa: E402
from referrals.store.tables import lead_history, leads, outbox, users  # noqa: E402
from referrals.synthetic import sample_lead  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("REFERRALS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PYTHON = sys.executable

COMBOS = {
    "none": ({}, LeadFilter()),
    "status": ({"status": "received"}, None),
    "country+quality": ({"country": "IT", "quality": "high"}, None),
    "customer": ({"customer": generate.CUSTOMER_TERM}, None),
    "favorites": ({"tab": "favorites"}, None),
}


def lead_filter(params: dict) -> LeadFilter:
    from referrals.domain.enums import QualityLabel, Status

    return LeadFilter(
        tab=Tab(params["tab"]) if "tab" in params else None,
        status=frozenset({Status(params["status"])}) if "status" in params else frozenset(),
        country=frozenset({params["country"]}) if "country" in params else frozenset(),
        quality=frozenset({QualityLabel(params["quality"])}) if "quality" in params else frozenset(),
        customer=params.get("customer", ""),
    )


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {"p50_ms": round(pct(ms, 0.5), 3), "p95_ms": round(pct(ms, 0.95), 3), "max_ms": round(max(ms), 3),
            "n": len(ms)}


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


# -- the floor: hand-written SQL on a raw driver connection --------------------------------------------

def _raw_params(dialect: str, values: list):
    """Bind values as the product stores them (SQLite keeps naive UTC text)."""
    if dialect == "sqlite":
        return [v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
                if isinstance(v, datetime) else v for v in values]
    return values


def floor_list_sql(dialect: str, params: dict, keyset: bool) -> tuple[str, list]:
    ph = "?" if dialect == "sqlite" else "%s"
    fav = (f"EXISTS (SELECT 1 FROM favorites f WHERE f.partner_id = l.partner_id AND f.user_id = {ph} "
           "AND f.lead_id = l.id)")
    where, args = [f"l.partner_id = {ph}"], ["P"]
    if "status" in params:
        where.append(f"l.status = {ph}")
        args.append(params["status"])
    if "country" in params:
        where.append(f"l.customer_country = {ph}")
        args.append(params["country"])
    if "quality" in params:
        where.append(f"l.quality_label = {ph}")
        args.append(params["quality"])
    if "customer" in params:
        where.append(f"l.customer_key LIKE {ph}")
        args.append(f"%{params['customer']}%")
    if params.get("tab") == "favorites":
        where.append(fav)
        args.append("U")
    if keyset:
        where.append(f"(l.created_at, l.id) < ({ph}, {ph})")
        args += ["T", "I"]
    # The favourite flag as a LEFT JOIN on the favorites key: PostgreSQL turns an EXISTS in the select list
    # into a hashed subplan that reads all of the user's favourites on every page (3.8 ms against 0.8 ms).
    sql = ("SELECT l.*, f0.lead_id IS NOT NULL AS favorite FROM leads l LEFT JOIN favorites f0 "  # noqa: S608
           f"ON f0.partner_id = l.partner_id AND f0.user_id = {ph} AND f0.lead_id = l.id WHERE "
           + " AND ".join(where) + " ORDER BY l.created_at DESC, l.id DESC LIMIT 51")
    return sql, ["U"] + args


def run_floor_list(raw, dialect: str, sql: str, template: list, bind: dict) -> None:
    cur = raw.cursor()
    cur.execute(sql, _raw_params(dialect, [bind.get(a, a) if isinstance(a, str) and a in bind else a
                                           for a in template]))
    cur.fetchall()
    cur.close()


# -- the list -------------------------------------------------------------------------------------------

def measure_list(engine, info: generate.BenchSet, runs: int, http: httpx.Client | None, deep_pages: int) -> dict:
    dialect = engine.dialect.name
    with reading(engine) as conn:
        principal = principal_for_user(conn, info.big_admin_id)
    results = {}
    raw = engine.raw_connection()
    try:
        for name, (params, _) in COMBOS.items():
            f = lead_filter(params)
            # walk to the deep page once, through the product, to get its cursor (and the floor's keyset)
            cursor, pages, last = None, 0, None
            while pages < deep_pages - 1:
                page = list_leads(engine, principal, PageRequest(f, cursor=cursor))
                if page.next_cursor is None:
                    break
                cursor, last, pages = page.next_cursor, page.items[-1].columns, pages + 1
            depth = pages + 1
            entry = {"filter": params, "deep_page_number": depth}
            for depth_name, cur_value, last_lead in (("first", None, None), ("deep", cursor, last)):
                if depth_name == "deep" and cur_value is None:
                    continue
                bind = {"P": info.big_partner, "U": info.big_admin_id}
                if last_lead is not None:
                    bind |= {"T": last_lead.created_at, "I": last_lead.id}
                sql, template = floor_list_sql(dialect, params, keyset=last_lead is not None)
                floor = timed(lambda sql=sql, template=template, bind=bind:
                              run_floor_list(raw, dialect, sql, template, bind), runs)
                request = PageRequest(f, cursor=cur_value)
                service = timed(lambda request=request: list_leads(engine, principal, request), runs)
                row = {"floor": summary(floor), "service": summary(service)}
                if http is not None:
                    query = dict(params) | ({"cursor": cur_value} if cur_value else {})

                    def get(query=query):
                        r = http.get("/api/v1/leads", params=query)
                        r.raise_for_status()
                    row["http"] = summary(timed(get, runs))
                row["service_vs_floor_p50"] = round(row["service"]["p50_ms"] / row["floor"]["p50_ms"], 2)
                entry[depth_name] = row
            results[name] = entry
    finally:
        raw.close()
    return results


def explain_big_partner(engine, info: generate.BenchSet) -> dict:
    """PostgreSQL: after many runs of the list query, is the plan still the one for this partner?"""
    if engine.dialect.name != "postgresql":
        return {}
    from referrals.store import listing

    f = lead_filter({"status": "received"})
    query = listing.filtered(f).order_by(leads.c.created_at.desc(), leads.c.id.desc()).limit(51)
    query = query.params(**listing.bind_scope(info.big_partner, info.big_admin_id))
    with engine.connect() as conn:
        for _ in range(20):
            conn.execute(query).all()
        prepared = conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar_one()
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        plan = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {compiled}")]
    return {"prepared_statements_after_20_runs": prepared, "plan_status_first_page": plan}


# -- the server -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str):
        self.port = free_port()
        self.proc = subprocess.Popen(  # noqa: S603
            [PYTHON, str(ROOT / "bench" / "server.py"), "--db", url, "--port", str(self.port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
            if self.proc.poll() is not None:
                raise RuntimeError("the server died: " + self.proc.stderr.read().decode()[-2000:])
        raise RuntimeError("the server did not start")

    def status(self, key: str) -> int:
        """VmRSS / VmHWM of the server process, in kB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def http_export(server: Server, token: str, runs: int = 2) -> dict:
    """The best of `runs` downloads (the floor's dump is timed the same way); the peak RSS covers them all."""
    with client(server, token) as http:
        http.get("/api/v1/leads", params={"limit": 50}).raise_for_status()  # warm: imports, pool, caches
        base = server.status("VmRSS")
        best = None
        for _ in range(runs):
            t0 = time.perf_counter()
            lines = size = 0
            with http.stream("GET", "/api/v1/leads/export.csv") as r:
                r.raise_for_status()
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            took = time.perf_counter() - t0
            best = took if best is None else min(best, took)
        seconds = best
    rows = lines - 1
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds), "bytes": size,
            "rss_before_mb": round(base / 1024, 1), "peak_rss_mb": round(server.status("VmHWM") / 1024, 1),
            "growth_mb": round((server.status("VmHWM") - base) / 1024, 1)}


EXPORT_COLUMNS = ("id, created_at, status, outcome, type, qualification, source, call_to_action, offer_id, "
                  "offer_title, customer_company, customer_first_name, customer_last_name, customer_title, "
                  "customer_email, customer_phone, customer_country, customer_company_size, customer_industry, "
                  "message, email_validity, phone_validity, spam_reasons, quality_label, quality_probability, "
                  "response_due_at, accepted_at, archived_at, deal_name, deal_amount, deal_currency, "
                  "deal_purchase_date, deal_campaign_id, deal_crm_id, closing_reason, is_test")


def floor_export(url: str, info: generate.BenchSet) -> dict:
    """The database's own CSV dump of the same rows and columns, in the same order, to a pipe."""
    query = (f"SELECT {EXPORT_COLUMNS} FROM leads WHERE partner_id = '{info.big_partner}' "  # noqa: S608
             "ORDER BY created_at DESC, id DESC")
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        command = ["sqlite3", "-csv", parsed.database, query]
    else:
        command = ["psql", "-X", "-q", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
                   "-U", parsed.username or "postgres", "-d", parsed.database,
                   "-c", f"COPY ({query}) TO STDOUT WITH CSV"]
    best = None
    for _ in range(2):
        t0 = time.perf_counter()
        out = subprocess.run(command, capture_output=True, check=True)  # noqa: S603
        seconds = time.perf_counter() - t0
        best = seconds if best is None else min(best, seconds)
    rows = out.stdout.count(b"\n")
    return {"rows": rows, "seconds": round(best, 3), "rows_per_s": round(rows / best)}


def measure_page(server: Server, info: generate.BenchSet, runs: int) -> dict:
    with httpx.Client(base_url=server.base, timeout=60) as web:
        r = web.get("/signin")
        if r.status_code == 404:
            return {"skipped": "the server-rendered pages are not wired (no /signin)"}
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        r = web.post("/signin", data={"email": info.big_admin_email, "password": generate.PASSWORD,
                                      "csrf_token": csrf, "next": "/leads"})
        if r.status_code not in (200, 302, 303):
            return {"skipped": f"sign-in answered {r.status_code}"}

        def get():
            page = web.get("/leads")
            page.raise_for_status()
            if 'action="/signin"' in page.text and "csrf_token" in page.text and "/leads/" not in page.text:
                raise RuntimeError("not signed in")
        result = summary(timed(get, runs))
        rows = web.get("/leads").text.count('<tr')
    return result | {"table_rows_seen": rows}


# -- the list page with its count (issue 14) ------------------------------------------------------------

LISTPAGE_CASES = {  # the pages' query strings, on the Marketplace tab
    "none": [],
    "status": [("status", "received")],
    "country+quality": [("country", "IT"), ("quality", "high")],
    "search": [("q", generate.CUSTOMER_TERM)],
}


def measure_listpage(engine, server: Server, info: generate.BenchSet, runs: int) -> dict:
    """`GET /leads` as the big partner's admin with three saved views, for each case: the page with its position
    ("1–50 of 10,000+") and its tab's count, then the request its script makes for the chips' counts and the other
    tabs' (`/leads/counts`); the unfiltered list's second page too (its cursor carries the page number). The views are
    deleted after."""
    from urllib.parse import urlencode

    from referrals.services import views

    with reading(engine) as conn:
        principal = principal_for_user(conn, info.big_admin_id)
    made = [views.save_view(engine, principal, name, query, shared, now=datetime.now(UTC)) for name, query, shared in (
        ("Bench: received", {"tab": "marketplace", "status": ["received"]}, False),
        ("Bench: Italy, high", {"tab": "marketplace", "country": ["IT"], "quality": ["high"]}, True),
        ("Bench: qualified", {"tab": "qualified", "sort": "customer"}, False))]
    position = re.compile(r'data-testid="position">([^<]*)<')
    result: dict = {}
    web = _signed_in(server, info.big_admin_email)
    try:
        if True:  # noqa: SIM108 (one block for the measured pages)
            for name, params in LISTPAGE_CASES.items():
                url = "/leads?" + urlencode([("tab", "marketplace"), *params])

                def get(url=url):
                    web.get(url).raise_for_status()
                page = web.get(url).text
                found = position.search(page)
                counts_url = re.search(r'data-counts-url="([^"]+)"', page).group(1).replace("&amp;", "&")
                result[name] = summary(timed(get, runs)) | {"position": found.group(1) if found else None,
                                                            "rows": page.count("data-lead-id=")}
                # the chips' counts and, under a filter, the other tabs': the request the page's script makes
                result[name + ": later counts"] = summary(timed(lambda u=counts_url: web.get(u).raise_for_status(),
                                                                runs)) | {"counts": web.get(counts_url).json()}
            next_url = re.search(r'href="([^"]+)" rel="next"', web.get("/leads?tab=marketplace").text)
            if next_url:
                url = next_url.group(1).replace("&amp;", "&")
                page = web.get(url).text
                found = position.search(page)
                result["none, page 2"] = summary(timed(lambda: web.get(url).raise_for_status(), runs)) | {
                    "position": found.group(1) if found else None}
    finally:
        web.close()
        for view in made:
            views.delete_view(engine, principal, view.id)
    return result


# -- search and the urgency sort (issue 14) ----------------------------------------------------------------

def _search_cases(engine, info: generate.BenchSet) -> dict[str, dict]:
    """Search terms taken from an accepted lead halfway down the big partner's list (its contacts are shown), so a term
    only it matches makes the database look through the whole partner: each the API's query parameters."""
    shown = (leads.c.partner_id == info.big_partner, leads.c.status == "accepted", leads.c.customer_phone != "",
             leads.c.customer_email != "")
    with reading(engine) as conn:
        halfway = conn.execute(select(func.count()).select_from(leads).where(*shown)).scalar_one() // 2
        lead = conn.execute(
            select(leads.c.id, leads.c.external_id, leads.c.customer_last_name, leads.c.customer_email,
                   leads.c.customer_phone)
            .where(*shown).order_by(leads.c.created_at, leads.c.id).offset(halfway).limit(1)).one()
    digits = re.sub(r"[^0-9]", "", lead.customer_phone)
    cases = {
        "company word": {"q": generate.CUSTOMER_TERM},
        "last name": {"q": lead.customer_last_name},
        "email": {"q": lead.customer_email.upper()},
        "phone as written": {"q": lead.customer_phone},
        "phone digits": {"q": digits[-9:]},
        "lead id": {"q": lead.id},
        "found nowhere": {"q": "zqxj vwk"},
        "last name, received, Italy": {"q": lead.customer_last_name, "status": "received", "country": "IT"},
    }
    if lead.external_id:
        cases["external id"] = {"q": lead.external_id}
    return cases


def measure_search(engine, server: Server, info: generate.BenchSet, runs: int) -> dict:
    """`GET /api/v1/leads?q=...` of the big partner (first page, 50 rows, newest first) for each search case, and the
    urgency sort's first and second pages; p50/p95 each, and the p95 of every search request together (the target)."""
    out: dict = {"cases": {}}
    every: list[float] = []
    with client(server, info.big_token) as http:
        for name, params in _search_cases(engine, info).items():
            def get(params=params):
                r = http.get("/api/v1/leads", params=params)
                r.raise_for_status()
            samples = timed(get, runs)
            every += samples
            found = len(http.get("/api/v1/leads", params=params).json()["items"])
            out["cases"][name] = summary(samples) | {"found": found, "params": params}
        out["all_search"] = summary(every)
        answer = http.get("/api/v1/leads", params={"sort": "urgency"})
        if answer.status_code != 200:  # code from before the urgency sort
            return out | {"urgency": f"not measured: {answer.status_code}"}
        first = answer.json()
        for name, params in (("urgency, first page", {"sort": "urgency"}),
                             ("urgency, second page", {"sort": "urgency", "cursor": first["next_cursor"]}),
                             ("urgency, marketplace", {"sort": "urgency", "tab": "marketplace"})):
            def get(params=params):
                http.get("/api/v1/leads", params=params).raise_for_status()
            out[name] = summary(timed(get, runs))
    return out


# -- insights -------------------------------------------------------------------------------------------

def _signed_in(server: Server, email: str) -> httpx.Client:
    web = httpx.Client(base_url=server.base, timeout=120)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/signin").text).group(1)
    r = web.post("/signin", data={"email": email, "password": generate.PASSWORD, "csrf_token": csrf})
    if r.status_code not in (200, 302, 303):
        raise RuntimeError(f"sign-in as {email} answered {r.status_code}")
    return web


def ensure_program_password(engine, info: generate.BenchSet) -> str:
    """The program admin signs in with the benchmark password (data sets made before it had one)."""
    from referrals.services.auth import hash_password

    with writing(engine) as conn:
        conn.execute(users.update().where(users.c.email == info.program_email, users.c.password_hash.is_(None))
                     .values(password_hash=hash_password(generate.PASSWORD)))
    return info.program_email


def measure_insights(engine, server: Server, info: generate.BenchSet, runs: int) -> dict:
    """First the insights job folds the change log (after a migration: every lead; after a run: the sweep's and
    the restores' changes), then a year of the big partner and of the program over HTTP (JSON and pages), the
    partner table and the calibration."""
    from datetime import timedelta

    from referrals.services.insights import fold_changes

    t0 = time.perf_counter()
    folded = fold_changes(engine)
    seconds = time.perf_counter() - t0
    out: dict = {"fold": {"changes": folded, "seconds": round(seconds, 1),
                          "changes_per_s": round(folded / seconds) if folded else None}}
    last = datetime.fromisoformat(info.now).date()
    year = f"from={last - timedelta(days=364)}&to={last}"

    def getter(http: httpx.Client, path: str):
        def get():
            r = http.get(path)
            if r.status_code != 200:
                raise RuntimeError(f"GET {path} answered {r.status_code}: {r.text[:300]}")
        return get

    with client(server, info.big_token) as http:
        out["api_big_year"] = summary(timed(getter(http, f"/api/v1/insights?{year}"), runs))
        received = http.get(f"/api/v1/insights?{year}").json()["totals"]["received"]
        out["api_big_year"]["received"] = received
    with client(server, info.program_token) as http:
        out["api_program_year"] = summary(timed(getter(http, f"/api/v1/insights?{year}"), runs))
        out["api_partners_year"] = summary(timed(getter(http, f"/api/v1/insights/partners?{year}"), max(5, runs // 4)))
        out["api_quality_year"] = summary(timed(getter(http, f"/api/v1/insights/quality?{year}"), runs))
    for email, key, path, times in ((info.big_admin_email, "page_big_year", "/insights", runs),
                                    (ensure_program_password(engine, info), "page_program_year", "/program/insights",
                                     runs)):
        web = _signed_in(server, email)
        try:
            out[key] = summary(timed(getter(web, f"{path}?{year}"), times))
        finally:
            web.close()
    return out


# -- bulk actions -------------------------------------------------------------------------------------

def _bulk_targets(engine, info: generate.BenchSet, count: int, skip: int) -> list[str]:
    """Received leads of the big partner that are still answerable at the data set's `now` (newest first)."""
    bench_now = datetime.fromisoformat(info.now)
    with reading(engine) as conn:
        return list(conn.execute(
            select(leads.c.id).where(leads.c.partner_id == info.big_partner, leads.c.status == "received",
                                     leads.c.informational.is_(False), leads.c.response_due_at > bench_now)
            .order_by(leads.c.created_at.desc(), leads.c.id.desc()).offset(skip).limit(count)).scalars())


def _restore_leads(engine, saved: list[dict], bench_now: datetime) -> None:
    """Put the leads back as they were (every column), drop the history and emails the bulk action wrote."""
    from sqlalchemy import bindparam

    columns = [c.name for c in leads.c if c.name not in ("partner_id", "id")]
    with writing(engine) as conn:
        conn.execute(leads.update().where(leads.c.partner_id == bindparam("b_partner"), leads.c.id == bindparam("b_id"))
                     .values({name: bindparam(f"v_{name}") for name in columns}),
                     [{"b_partner": row["partner_id"], "b_id": row["id"], **{f"v_{n}": row[n] for n in columns}}
                      for row in saved])
        conn.execute(delete(lead_history).where(lead_history.c.partner_id == bindparam("b_partner"),
                                                lead_history.c.lead_id == bindparam("b_id"),
                                                lead_history.c.version > bindparam("b_version")),
                     [{"b_partner": row["partner_id"], "b_id": row["id"], "b_version": row["version"]}
                      for row in saved])
        conn.execute(delete(outbox).where(outbox.c.template.in_(["lead_declined", "lead_assigned"]),
                                          outbox.c.created_at == bench_now))


def _measure_bulk_job(engine, info: generate.BenchSet, user_id: str, bench_now: datetime) -> dict:
    """A job: hearts (as a second user of the big partner) on every received lead of the big partner, from the
    request that resolves the filter and stores the job's rows to the run that works through them; undone after."""
    from referrals.domain.bulk import BulkAction, BulkParams
    from referrals.domain.enums import Status
    from referrals.services import bulk
    from referrals.store.tables import bulk_jobs, bulk_results, favorites

    with reading(engine) as conn:
        user = principal_for_user(conn, user_id)
    received = LeadFilter(tab=Tab.MARKETPLACE, status=frozenset({Status.RECEIVED}))
    t0 = time.perf_counter()
    queued = bulk.act_on_filter(engine, user, BulkAction.FAVORITE, BulkParams(), received, Sort.NEWEST, now=bench_now)
    made = time.perf_counter() - t0
    job_id = queued.job_id if isinstance(queued, bulk.Queued) else None
    t0 = time.perf_counter()
    if job_id is not None:
        bulk.run_job(engine, info.big_partner, job_id, clock=lambda: bench_now)
    ran = time.perf_counter() - t0
    with writing(engine) as conn:
        conn.execute(delete(favorites).where(favorites.c.partner_id == info.big_partner,
                                             favorites.c.user_id == user_id))
        conn.execute(delete(bulk_results).where(bulk_results.c.partner_id == info.big_partner,
                                                bulk_results.c.job_id == job_id))
        conn.execute(delete(bulk_jobs).where(bulk_jobs.c.partner_id == info.big_partner, bulk_jobs.c.id == job_id))
    if job_id is None:
        return {"leads": len(queued.items), "note": "1,000 leads or fewer: answered at once, no job"}
    return {"leads": queued.total, "request_seconds": round(made, 2), "run_seconds": round(ran, 2),
            "leads_per_s": round(queued.total / ran)}


def measure_bulk(engine, info: generate.BenchSet, count: int = 1000) -> dict:
    """Bulk decline and bulk assign of 1,000 of the big partner's received leads through the service (the route adds
    parsing and the answer's JSON), each lead in its own write transaction with the version check, its history and
    its email; beside it, the same declines as 1,000 calls of the single decline service. Each run is undone after."""
    from referrals.domain.bulk import BulkAction, BulkParams
    from referrals.domain.enums import Reason
    from referrals.services import bulk
    from referrals.services.lifecycle import decline_lead

    bench_now = datetime.fromisoformat(info.now)
    owner_email = "owner@big.bench.example"
    with reading(engine) as conn:
        owner_id = conn.execute(select(users.c.id).where(users.c.email == owner_email)).scalar()
        admin = principal_for_user(conn, info.big_admin_id)
    if owner_id is None:
        owner_id = add_user(engine, owner_email, partner_id=info.big_partner, roles=[Role.REFERRALS_USER],
                            password=None, now=bench_now)
    decline = BulkParams(Reason.CHOSE_ANOTHER_VENDOR, "Bench: chose another vendor.")
    cases = {
        "decline": lambda ids: bulk.act_on_ids(engine, admin, BulkAction.DECLINE, decline, ids, now=bench_now),
        "assign": lambda ids: bulk.act_on_ids(engine, admin, BulkAction.ASSIGN, BulkParams(user_id=owner_id), ids,
                                              now=bench_now),
        "decline_one_by_one": lambda ids: [decline_lead(engine, admin, i, decline.reason, decline.notes, now=bench_now)
                                           for i in ids],
    }
    count = len(_bulk_targets(engine, info, count, 0))  # fewer on a small data set (the smoke test's)
    out: dict = {"leads": count, "job": _measure_bulk_job(engine, info, owner_id, bench_now)}
    for name, act in cases.items():
        ids = _bulk_targets(engine, info, count, 0)
        with reading(engine) as conn:
            saved = [dict(r._mapping) for r in conn.execute(select(leads).where(
                leads.c.partner_id == info.big_partner, leads.c.id.in_(ids)))]
        runs = []
        for _ in range(2):
            t0 = time.perf_counter()
            answer = act(ids)
            runs.append(time.perf_counter() - t0)
            done = answer.succeeded if hasattr(answer, "succeeded") else len(answer)
            _restore_leads(engine, saved, bench_now)
            if done != count:
                raise RuntimeError(f"bulk {name}: {done} of {count} succeeded")
        out[name] = {"seconds": round(min(runs), 2), "runs": [round(r, 2) for r in runs],
                     "leads_per_s": round(count / min(runs))}
    return out


# -- ingest ---------------------------------------------------------------------------------------------

def _lead_body(origin, customer, message, partner_id: str, external_id: str) -> dict:
    return {
        "partner_id": partner_id, "qualification": origin.qualification.value, "source": origin.source.value,
        "type": origin.type and origin.type.value, "call_to_action": origin.call_to_action and
        origin.call_to_action.value, "offer": {"id": origin.offer_id, "title": origin.offer_title},
        "customer": {k: v for k, v in vars(customer).items() if v not in (None, "")},
        "message": message, "external_id": external_id,
    }


def clean_ingest_partner(engine, partner_id: str) -> None:
    with writing(engine) as conn:
        conn.execute(delete(lead_history).where(lead_history.c.partner_id == partner_id))
        conn.execute(delete(outbox).where(outbox.c.partner_id == partner_id))
        tables = ["favorites", "action_reads"] + [name for name in ("lead_tallies", "insight_changes")
                                                  if inspect(conn).has_table(name)]  # (migrations 0005, 0007)
        for table in tables:  # the ingest partner's leads all go (lead_tallies: none before migration 0005)
            conn.execute(text(f"DELETE FROM {table} WHERE partner_id = :p"), {"p": partner_id})  # noqa: S608
        conn.execute(delete(leads).where(leads.c.partner_id == partner_id))


def raw_insert(engine, partner_id: str) -> float:
    """The floor: read back the rows the product wrote, delete them, and insert the very same rows (leads
    and history) with one driver-level executemany each, in one transaction."""
    with reading(engine) as conn:
        lead_rows = [tuple(r) for r in conn.execute(select(leads).where(leads.c.partner_id == partner_id))]
        hist_rows = [tuple(r) for r in conn.execute(
            select(lead_history).where(lead_history.c.partner_id == partner_id))]
    clean_ingest_partner(engine, partner_id)
    dialect = engine.dialect.name
    lead_rows = [_raw_params(dialect, [_jsonable(v, dialect) for v in row]) for row in lead_rows]
    hist_rows = [_raw_params(dialect, [_jsonable(v, dialect) for v in row]) for row in hist_rows]
    ph = "?" if dialect == "sqlite" else "%s"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        t0 = time.perf_counter()
        if dialect == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
        cols_l = ", ".join(c.name for c in leads.columns)
        cols_h = ", ".join(c.name for c in lead_history.columns)
        cur.executemany(f"INSERT INTO leads ({cols_l}) VALUES ({', '.join([ph] * len(leads.columns))})",  # noqa: S608
                        lead_rows)
        cur.executemany(f"INSERT INTO lead_history ({cols_h}) VALUES "  # noqa: S608
                        f"({', '.join([ph] * len(lead_history.columns))})", hist_rows)
        if dialect == "sqlite":
            cur.execute("COMMIT")
        else:
            raw.commit()
        return time.perf_counter() - t0
    finally:
        raw.close()


def _jsonable(value, dialect: str):
    from decimal import Decimal

    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if dialect == "sqlite" and isinstance(value, Decimal):
        return float(value)
    return value


def round_robin(engine, partner_id: str, now: datetime, *, on: bool) -> None:
    """Give the ingest partner's first location a round-robin rule over three members (made once), or none."""
    from referrals.domain.assignment import AssignmentMode, AssignmentRule
    from referrals.store import assignment, partners

    members = []
    for n in range(3):
        email = f"member{n}@ingest.bench.example"
        with reading(engine) as conn:
            found = conn.execute(select(users.c.id).where(users.c.email == email)).scalar_one_or_none()
        members.append(found or add_user(engine, email, partner_id=partner_id, roles=[Role.REFERRALS_USER],
                                         password=None, now=now))
    rule = AssignmentRule(AssignmentMode.ROUND_ROBIN, tuple(members)) if on else AssignmentRule()
    with writing(engine) as conn:
        assignment.save_rule(conn, partner_id, partners.first_location(conn, partner_id), rule, now)


def measure_ingest(engine, server: Server, info: generate.BenchSet, singles: int, batch_leads: int) -> dict:
    import random

    rng = random.Random(5)
    now = datetime.fromisoformat(info.now)
    target = info.ingest_partner
    clean_ingest_partner(engine, target)
    out: dict = {}
    stamp = int(time.time())
    with client(server, info.program_token) as http:
        bodies = [_lead_body(*sample_lead(rng, now), target, f"single-{stamp}-{i}") for i in range(singles + 5)]

        def post(body):
            r = http.post("/api/v1/leads", json=body)
            if r.status_code != 201:
                raise RuntimeError(f"POST /api/v1/leads answered {r.status_code}: {r.text[:300]}")
        for body in bodies[:5]:
            post(body)
        samples = []
        for body in bodies[5:]:
            t0 = time.perf_counter()
            post(body)
            samples.append(time.perf_counter() - t0)
        out["single_post"] = summary(samples)
        clean_ingest_partner(engine, target)
        round_robin(engine, target, now, on=True)  # the same POSTs with a location handing leads out in turn
        samples = []
        for body in [_lead_body(*sample_lead(rng, now), target, f"rr-{stamp}-{i}") for i in range(singles)]:
            t0 = time.perf_counter()
            post(body)
            samples.append(time.perf_counter() - t0)
        out["single_post_round_robin"] = summary(samples)
        round_robin(engine, target, now, on=False)
        clean_ingest_partner(engine, target)

        batch = [_lead_body(*sample_lead(rng, now), target, f"batch-{stamp}-{i}") for i in range(batch_leads)]
        t0 = time.perf_counter()
        for start in range(0, len(batch), 1000):
            r = http.post("/api/v1/leads/batch", json={"leads": batch[start : start + 1000]})
            r.raise_for_status()
        seconds = time.perf_counter() - t0
        out["batch_http"] = {"leads": len(batch), "seconds": round(seconds, 3),
                             "leads_per_s": round(len(batch) / seconds)}
    clean_ingest_partner(engine, target)

    drafts = []
    for i in range(batch_leads):
        origin, customer, message = sample_lead(rng, now)
        drafts.append(LeadDraft(partner_id=target, origin=origin, customer=customer, message=message,
                                external_id=f"many-{stamp}-{i}"))
    t0 = time.perf_counter()
    for start in range(0, len(drafts), 1000):
        ingest_many(engine, drafts[start : start + 1000], now=now)
    seconds = time.perf_counter() - t0
    out["ingest_many"] = {"leads": len(drafts), "seconds": round(seconds, 3),
                          "leads_per_s": round(len(drafts) / seconds)}
    raw_seconds = raw_insert(engine, target)
    out["raw_insert"] = {"leads": len(drafts), "seconds": round(raw_seconds, 3),
                         "leads_per_s": round(len(drafts) / raw_seconds)}
    out["ingest_many_vs_raw"] = round(seconds / raw_seconds, 2)
    out["batch_http_vs_raw"] = round(out["batch_http"]["seconds"] / raw_seconds, 2)
    clean_ingest_partner(engine, target)
    return out


# -- sweep ----------------------------------------------------------------------------------------------

def _restore_sweep(engine, at: datetime) -> int:
    """Put back the leads a sweep expired at `at` (state, history, emails), so the next run has work."""
    with writing(engine) as conn:
        swept = select(lead_history.c.partner_id, lead_history.c.lead_id).where(
            lead_history.c.at == at, lead_history.c.action == "expired")
        from sqlalchemy import tuple_, update

        changed = conn.execute(
            update(leads).where(tuple_(leads.c.partner_id, leads.c.id).in_(swept))
            .values(status="received", outcome=None, archived_at=None, version=leads.c.version - 1)
        ).rowcount
        conn.execute(delete(lead_history).where(lead_history.c.at == at, lead_history.c.action == "expired"))
        conn.execute(delete(outbox).where(outbox.c.template == "lead_expired"))
    return changed


def floor_sweep(engine, at: datetime, batch: int) -> dict:
    """Hand-written: batched UPDATE ... RETURNING walking the partial index in deadline order, plus the history
    rows; no emails."""
    dialect = engine.dialect.name
    ph = "?" if dialect == "sqlite" else "%s"
    lock = "" if dialect == "sqlite" else " FOR UPDATE SKIP LOCKED"
    due = (f"FROM leads WHERE status = 'received' AND response_due_at IS NOT NULL AND response_due_at <= {ph} "
           f"ORDER BY response_due_at LIMIT {batch}{lock}")
    target = ("(partner_id, id) IN (SELECT partner_id, id " + due + ")" if dialect == "sqlite"
              else "ctid = ANY(ARRAY(SELECT ctid " + due + "))")  # a TID scan of the locked batch
    update_sql = (
        f"UPDATE leads SET status = 'archived', outcome = 'expired', archived_at = {ph}, version = version + 1 "
        f"WHERE {target} AND status = 'received' RETURNING partner_id, id, version"
    )
    history_sql = (
        "INSERT INTO lead_history (partner_id, lead_id, version, at, actor_id, actor_label, action, from_status, "
        f"to_status, outcome, details) VALUES ({ph}, {ph}, {ph}, {ph}, NULL, 'system', 'expired', 'received', "
        f"'archived', 'expired', '{{}}')"
    )
    stamp = _raw_params(dialect, [at])[0]
    raw = engine.raw_connection()
    total, statements = 0, []
    t_all = time.perf_counter()
    try:
        cur = raw.cursor()
        while True:
            if dialect == "sqlite":
                cur.execute("BEGIN IMMEDIATE")
            t0 = time.perf_counter()
            cur.execute(update_sql, [stamp, stamp])
            rows = cur.fetchall()
            statements.append(time.perf_counter() - t0)
            if rows:
                t0 = time.perf_counter()
                cur.executemany(history_sql, [(p, i, v, stamp) for p, i, v in rows])
                statements.append(time.perf_counter() - t0)
            if dialect == "sqlite":
                cur.execute("COMMIT")
            else:
                raw.commit()
            total += len(rows)
            if len(rows) < batch:
                break
    finally:
        raw.close()
    seconds = time.perf_counter() - t_all
    return {"expired": total, "seconds": round(seconds, 3), "max_statement_ms": round(max(statements) * 1000, 1)}


def measure_sweep(engine, info: generate.BenchSet) -> dict:
    at = datetime.fromisoformat(info.now)
    statements: list[float] = []
    longest: list[str] = [""]

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
        statements.append(took)
        if took >= max(statements):
            longest[:] = [" ".join(statement.split())[:80] + (" (executemany)" if executemany else "")]

    def product_once() -> dict:
        statements.clear()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            t0 = time.perf_counter()
            report_ = sweep(engine, now=at)
            seconds = time.perf_counter() - t0
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        return {"expired": report_.expired, "retired": report_.retired, "seconds": round(seconds, 3),
                "max_statement_ms": round(max(statements) * 1000, 1), "statements": len(statements),
                "longest_statement": longest[0]}

    # Product and floor take turns, twice, each restored after itself; the best of each is kept, so neither
    # pays alone for a cold cache, a checkpoint or the dead index entries the other left behind.
    products, floors = [], []
    for _ in range(2):
        products.append(product_once())
        _restore_sweep(engine, at)
        floors.append(floor_sweep(engine, at, 5000))
        _restore_sweep(engine, at)
    product = min(products, key=lambda run: run["seconds"])
    floor = min(floors, key=lambda run: run["seconds"])
    return {"product": product, "floor": floor, "ratio": round(product["seconds"] / floor["seconds"], 2),
            "runs": {"product_seconds": [r["seconds"] for r in products],
                     "floor_seconds": [r["seconds"] for r in floors]}}


# -- the whole run --------------------------------------------------------------------------------------

def ensure_medium_token(engine, info: generate.BenchSet) -> str:
    email = "admin@medium.bench.example"
    with reading(engine) as conn:
        exists = conn.execute(select(users.c.id).where(users.c.email == email)).first()
    if exists is None:
        add_user(engine, email, partner_id=info.medium_partner, roles=[Role.REFERRALS_ADMIN], password=None,
                 now=datetime.fromisoformat(info.now))
    return create_token(engine, email, name="bench", now=datetime.now(UTC))


def run(info: generate.BenchSet, *, runs: int, deep_pages: int, singles: int, batch_leads: int,
        progress=print) -> dict:
    engine = make_engine(info.url)
    upgrade(engine)  # a data set made before a new migration gets it (indexes) before being measured
    result: dict = {"backend": engine.dialect.name, "dataset": asdict(info) | {"big_token": "-", "program_token": "-"},
                    "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": {"cpus": os.cpu_count(), "load_avg_at_start": os.getloadavg()[0]}}
    medium_token = ensure_medium_token(engine, info)

    progress("export: the medium partner, then the big one, each on a fresh server")
    server = Server(info.url)
    try:
        small = http_export(server, medium_token)
    finally:
        server.stop()
    server = Server(info.url)
    try:
        big = http_export(server, info.big_token)
        floor = floor_export(info.url, info)
        result["export"] = {
            "http_small": small, "http_big": big, "floor": floor,
            "ratio": round(floor["rows_per_s"] / big["rows_per_s"], 2),
            "rss_growth_small_to_big_mb": round(big["growth_mb"] - small["growth_mb"], 1),
        }
        progress(f"  {big['rows_per_s']:,} rows/s over HTTP, floor {floor['rows_per_s']:,}")

        progress("list: service layer, HTTP and hand-written SQL")
        with client(server, info.big_token) as http:
            result["list"] = measure_list(engine, info, runs, http, deep_pages)
        result["plan"] = explain_big_partner(engine, info)
        progress("page: GET /leads with a session")
        result["page"] = measure_page(server, info, runs)
        progress("list page: GET /leads with its count and saved views")
        result["listpage"] = measure_listpage(engine, server, info, runs)
        progress("search: q over the big partner, and the urgency sort")
        result["search"] = measure_search(engine, server, info, runs)
        progress("insights: fold the change log, then a year of the big partner and of the program")
        result["insights"] = measure_insights(engine, server, info, runs)
        progress("bulk: decline and assign 1,000 of the big partner's leads")
        result["bulk"] = measure_bulk(engine, info)
        progress("ingest: single POST, batch POST, ingest_many, raw insert")
        result["ingest"] = measure_ingest(engine, server, info, singles, batch_leads)
    finally:
        server.stop()
    progress("sweep: product and hand-written batched UPDATE")
    result["sweep"] = measure_sweep(engine, info)
    engine.dispose()
    return result


def write_results(result: dict, out_dir: Path, doc: Path | None, label: str | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    path = out_dir / f"{day}-{result['backend']}{'-' + label if label else ''}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    if doc is not None:
        report.update_doc(doc, result, label)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--reuse", type=Path, help="a data set description written by bench/generate.py")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per list case")
    parser.add_argument("--deep", type=int, default=100, help="which page is the deep one")
    parser.add_argument("--singles", type=int, default=200, help="single-lead POSTs")
    parser.add_argument("--batch-leads", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--label", default=None, help="added to the result file's name")
    parser.add_argument("--only-bulk", action="store_true", help="measure the bulk actions alone (--reuse a set)")
    parser.add_argument("--only-ingest", action="store_true", help="measure ingestion alone (--reuse a set)")
    parser.add_argument("--webhook", action="store_true", help="with --only-ingest: a webhook listens to every event")
    parser.add_argument("--only-search", action="store_true",
                        help="measure the search and the urgency sort alone (--reuse a set)")
    parser.add_argument("--only-listpage", action="store_true",
                        help="measure the list page with its count alone (--reuse a set)")
    parser.add_argument("--only-insights", action="store_true",
                        help="measure the insights API and pages alone, after folding the change log (--reuse a set)")
    parser.add_argument("--only-import", type=int, metavar="ROWS", default=0,
                        help="measure the CSV import of ROWS leads against ingest_many alone (--reuse a set)")
    args = parser.parse_args()
    if args.only_import:  # print the figures; nothing is written (bench/import_bench.py)
        import import_bench

        info = generate.load(args.reuse)
        engine = make_engine(info.url)
        upgrade(engine)
        server = Server(info.url)
        try:
            figures = import_bench.measure_import(engine, server, info, clean_ingest_partner, args.only_import,
                                                  Path(tempfile.gettempdir()))
            print(json.dumps({"backend": engine.dialect.name, **figures}, indent=2))
        finally:
            server.stop()
        return
    if args.only_bulk:  # print the figures; nothing is written
        info = generate.load(args.reuse)
        engine = make_engine(info.url)
        upgrade(engine)
        print(json.dumps(measure_bulk(engine, info), indent=2))
        return
    served_alone = {"only_listpage": measure_listpage, "only_search": measure_search,
                    "only_insights": measure_insights}
    for flag, measure in served_alone.items():
        if getattr(args, flag):  # print the figures; nothing is written (insights fold the change log first)
            info = generate.load(args.reuse)
            engine = make_engine(info.url)
            upgrade(engine)
            server = Server(info.url)
            try:
                print(json.dumps(measure(engine, server, info, args.runs), indent=2))
            finally:
                server.stop()
            return
    if args.only_ingest:
        info = generate.load(args.reuse)
        engine = make_engine(info.url)
        upgrade(engine)
        server = Server(info.url)
        try:
            if args.webhook:
                import webhook_load

                with webhook_load.listening(engine, info.ingest_partner) as queued:
                    figures = measure_ingest(engine, server, info, args.singles, args.batch_leads)
                figures["webhook_deliveries_queued"] = queued["deliveries"]
            else:
                figures = measure_ingest(engine, server, info, args.singles, args.batch_leads)
            print(json.dumps(figures, indent=2))
        finally:
            server.stop()
        return

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    workdir, pg_db = None, None
    if args.reuse:
        info = generate.load(args.reuse)
    else:
        if args.backend == "sqlite":
            workdir = Path(tempfile.mkdtemp(prefix="referrals-bench-"))
            url = f"sqlite:///{workdir / 'bench.db'}"
        else:
            pg_db = f"bench_{os.getpid()}"
            admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {pg_db}")
            admin.dispose()
            url = make_url(PG_ADMIN_URL).set(database=pg_db).render_as_string(hide_password=False)
        progress(f"generating {args.leads:,} leads into {url}")
        info = generate.generate(url, args.leads, progress=progress)
    try:
        result = run(info, runs=args.runs, deep_pages=args.deep, singles=args.singles,
                     batch_leads=args.batch_leads, progress=progress)
        path = write_results(result, args.out, None if args.no_doc else args.doc, args.label)
        progress(f"wrote {path}")
        print(report.table(result))
    finally:
        if workdir is not None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        if pg_db is not None and not args.keep:
            admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
            admin.dispose()


if __name__ == "__main__":
    main()
