"""The CSV import against batch ingestion on the same database (`runner.py --only-import --reuse SET`): the same
N leads (100,000 by default) ingested with `ingest_many` in batches of 1,000, then imported from a CSV file through
the service (`services.lead_import.import_leads`) and over HTTP (`POST /api/v1/leads/import`), each into the set's
empty ingest partner, cleaned between runs. The target: the import at no less than 0.8x the batch-ingest rate."""

import csv
import io
import time
from datetime import datetime
from pathlib import Path

import httpx

from referrals.domain.lead_import import LEAD_COLUMNS
from referrals.services.ingest import LeadDraft, ingest_many
from referrals.services.lead_import import import_leads
from referrals.store import users
from referrals.store.db import reading
from referrals.synthetic import sample_lead


def _row(origin, customer, message, partner_id: str, external_id: str) -> list[str]:
    cells = {
        "PartnerId": partner_id, "LocationId": "", "ExternalId": external_id,
        "LeadType": origin.type or "", "Qualification": origin.qualification, "LeadSource": origin.source,
        "CallToAction": origin.call_to_action or "", "OfferId": origin.offer_id, "OfferTitle": origin.offer_title,
        "CustomerCompany": customer.company, "CustomerFirstName": customer.first_name,
        "CustomerLastName": customer.last_name, "CustomerTitle": customer.title, "CustomerEmail": customer.email,
        "CustomerPhone": customer.phone, "CustomerCountry": customer.country or "",
        "CompanySize": customer.company_size or "", "Industry": customer.industry or "", "Message": message,
    }
    return [str(cells[column.name] or "") for column in LEAD_COLUMNS]


def write_file(path: Path, samples: list, partner_id: str, prefix: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([column.name for column in LEAD_COLUMNS])
        for i, (origin, customer, message) in enumerate(samples):
            writer.writerow(_row(origin, customer, message, partner_id, f"{prefix}-{i}"))


def _rate(count: int, seconds: float) -> dict:
    return {"leads": count, "seconds": round(seconds, 2), "leads_per_s": round(count / seconds)}


def measure_import(engine, server, info, clean, rows: int, workdir: Path) -> dict:
    """`clean(engine, partner_id)` empties the ingest partner; `server` serves the same database."""
    import random

    rng, now, target = random.Random(11), datetime.fromisoformat(info.now), info.ingest_partner
    samples = [sample_lead(rng, now) for _ in range(rows)]
    stamp = int(time.time())
    with reading(engine) as conn:
        program = users.credentials(conn, info.program_email)[0]
    clean(engine, target)
    out: dict = {}

    drafts = [LeadDraft(partner_id=target, origin=o, customer=c, message=m, external_id=f"many-{stamp}-{i}")
              for i, (o, c, m) in enumerate(samples)]
    t0 = time.perf_counter()
    for start in range(0, rows, 1000):
        ingest_many(engine, drafts[start:start + 1000], now=now)
    out["ingest_many"] = _rate(rows, time.perf_counter() - t0)
    clean(engine, target)

    path = workdir / f"import-{stamp}.csv"
    write_file(path, samples, target, f"csv-{stamp}")
    out["file_mb"] = round(path.stat().st_size / 1e6, 1)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        t0 = time.perf_counter()
        report = import_leads(engine, program, stream, now=now)
        out["import_service"] = _rate(rows, time.perf_counter() - t0)
    assert report.created == rows, report.as_dict() | {"errors": report.errors[:5]}
    clean(engine, target)

    body = path.read_bytes()
    with httpx.Client(base_url=server.base, timeout=3600,
                      headers={"Authorization": f"Bearer {info.program_token}", "Content-Type": "text/csv"}) as http:
        t0 = time.perf_counter()
        answer = http.post("/api/v1/leads/import", content=io.BytesIO(body).getvalue())
        out["import_http"] = _rate(rows, time.perf_counter() - t0)
    answer.raise_for_status()
    assert answer.json()["created"] == rows, answer.text[:500]
    clean(engine, target)
    path.unlink()
    base = out["ingest_many"]["leads_per_s"]
    out["service_vs_ingest_many"] = round(out["import_service"]["leads_per_s"] / base, 2)
    out["http_vs_ingest_many"] = round(out["import_http"]["leads_per_s"] / base, 2)
    return out
