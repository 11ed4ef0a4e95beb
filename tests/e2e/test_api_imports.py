"""CSV imports over real HTTP (uvicorn on a free port, on both databases): leads, with a dry run, per-row errors,
all-or-nothing, idempotency by ExternalId, the size limit and roles; outcome updates from a CRM."""

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from referrals.config import Settings
from referrals.domain.enums import Role
from referrals.domain.lead_import import LEAD_COLUMNS
from referrals.web.app import create_app
from referrals.web.deps import get_now
from tests import factories
from tests.browser.test_workspace import serving
from tests.e2e.conftest import Clock, Partner, User, lead_count, partner, user

IMPORT_LIMIT = 20_000
HEADER = ["PartnerId", "ExternalId", "LeadType", "Qualification", "LeadSource", "CallToAction", "OfferId",
          "OfferTitle", "CustomerCompany", "CustomerFirstName", "CustomerLastName", "CustomerEmail", "CustomerCountry",
          "Message"]


def csv_text(rows: list[list[str]], header: list[str] = HEADER, *, bom: bool = False, crlf: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows([header, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def lead(partner_id: str, external_id: str, *, call_to_action: str = "contact_me", company: str = "Fabrikam Srl",
         message: str = "Needs 40 seats by June.") -> list[str]:
    return [partner_id, external_id, "offer", "direct", "azure_marketplace", call_to_action, "contoso.crm",
            "Contoso CRM", company, "Giulia", "Rossi", "giulia@fabrikam.it", "IT", message]


@pytest.fixture
def world(engine: Engine):
    return partner(engine, "Contoso Consulting"), user(engine, None, Role.PROGRAM_SELLER)


@pytest.fixture
def base_url(engine: Engine) -> Iterator[str]:
    app = create_app(Settings(database_url="sqlite://", max_import_bytes=IMPORT_LIMIT, secret_key="x" * 32),
                     engine=engine)
    app.dependency_overrides[get_now] = lambda: Clock().now
    with serving(app) as url:
        yield url


def post_csv(base_url: str, who: User, body: bytes, path: str = "/api/v1/leads/import", **params) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        return http.post(path, content=body, params={k: str(v).lower() for k, v in params.items()},
                         headers={**who.headers, "Content-Type": "text/csv"})


def five_rows(partner_a: Partner) -> bytes:
    return csv_text([
        lead(partner_a.id, "crm-1"),
        lead(partner_a.id, "crm-2", call_to_action="call_me_maybe"),
        lead(partner_a.id, "crm-3", company="Tailspin Toys"),
        lead("no-such-partner", "crm-4"),
        lead(partner_a.id, "crm-5", company="Litware, Inc.", message="Two lines:\nfirst, then \"second\"."),
    ])


def test_a_dry_run_reports_each_bad_row_with_its_column_then_the_import_creates_the_rest_once(
        engine, world, base_url):
    partner_a, seller = world
    body = five_rows(partner_a)

    dry = post_csv(base_url, seller, body, dry_run=True)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["rows"], report["created"], report["existing"]) == (5, 3, 0)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "CallToAction"), (4, "PartnerId")]
    assert "call_me_maybe" in report["errors"][0]["message"]
    assert lead_count(engine) == 0

    done = post_csv(base_url, seller, body).json()
    assert (done["rows"], done["created"], done["existing"], len(done["errors"])) == (5, 3, 0, 2)
    assert lead_count(engine) == 3

    again = post_csv(base_url, seller, body).json()
    assert (again["created"], again["existing"], len(again["errors"])) == (0, 3, 2)
    assert lead_count(engine) == 3


def test_all_or_nothing_refuses_the_whole_file_on_any_error(engine, world, base_url):
    partner_a, seller = world
    answer = post_csv(base_url, seller, five_rows(partner_a), all_or_nothing=True).json()
    assert answer["refused"] is True and answer["created"] == 0 and len(answer["errors"]) == 2
    assert lead_count(engine) == 0
    good = csv_text([lead(partner_a.id, "ok-1"), lead(partner_a.id, "ok-2")])
    assert post_csv(base_url, seller, good, all_or_nothing=True).json()["created"] == 2
    assert lead_count(engine) == 2


def test_an_unknown_header_is_named_and_nothing_is_imported(engine, world, base_url):
    partner_a, seller = world
    body = csv_text([[*lead(partner_a.id, "crm-1"), "x"]], header=[*HEADER, "Favourite colour"])
    report = post_csv(base_url, seller, body).json()
    assert report["rows"] == 0 and report["created"] == 0
    assert report["errors"][0]["row"] == 0 and report["errors"][0]["column"] == "Favourite colour"
    assert "not a known column" in report["errors"][0]["message"]
    assert lead_count(engine) == 0


def test_an_excel_file_with_a_byte_order_mark_and_crlf_imports(engine, world, base_url):
    partner_a, seller = world
    body = csv_text([lead(partner_a.id, "excel-1", message="Line one\r\nline two")], bom=True, crlf=True)
    report = post_csv(base_url, seller, body).json()
    assert (report["created"], report["errors"]) == (1, [])
    with httpx.Client(base_url=base_url) as http:
        listed = http.get("/api/v1/leads", headers=partner_a.reader.headers).json()["items"]
    assert len(listed) == 1


def test_a_file_over_the_import_limit_is_413_with_a_clear_message(engine, world, base_url):
    partner_a, seller = world
    body = csv_text([lead(partner_a.id, f"big-{i}", message="x" * 500) for i in range(60)])
    assert len(body) > IMPORT_LIMIT
    answer = post_csv(base_url, seller, body)
    assert answer.status_code == 413
    assert "REFERRALS_MAX_IMPORT_BYTES" in answer.json()["detail"]
    assert lead_count(engine) == 0


def test_a_streamed_file_without_a_length_is_cut_off_at_the_import_limit(engine, world, base_url):
    partner_a, seller = world
    body = csv_text([lead(partner_a.id, f"big-{i}", message="x" * 500) for i in range(60)])

    def chunks():
        for start in range(0, len(body), 4096):
            yield body[start:start + 4096]

    with httpx.Client(base_url=base_url, timeout=30) as http:
        answer = http.post("/api/v1/leads/import", content=chunks(),
                           headers={**seller.headers, "Content-Type": "text/csv"})
    assert answer.status_code == 413 and "REFERRALS_MAX_IMPORT_BYTES" in answer.json()["detail"]
    assert lead_count(engine) == 0


def test_the_import_needs_a_program_admin_or_seller(engine, world, base_url):
    partner_a, _ = world
    answer = post_csv(base_url, partner_a.admin, five_rows(partner_a))
    assert answer.status_code == 403
    assert lead_count(engine) == 0


def test_the_template_names_every_column(world, base_url):
    _, seller = world
    with httpx.Client(base_url=base_url) as http:
        answer = http.get("/api/v1/leads/import/template.csv", headers=seller.headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.text.strip().split(",") == [column.name for column in LEAD_COLUMNS]


def test_a_body_that_is_not_csv_is_refused(world, base_url):
    _, seller = world
    with httpx.Client(base_url=base_url) as http:
        answer = http.post("/api/v1/leads/import", json={"leads": []}, headers=seller.headers)
    assert answer.status_code == 415 and "text/csv" in answer.json()["detail"]


# -- outcomes from a CRM ------------------------------------------------------------------------------------

def accepted(engine: Engine, partner_x: Partner, external_id: str):
    from referrals.services.lifecycle import accept_lead

    found = factories.ingest(engine, factories.CONTACT_ME, partner_x.id, external_id=external_id)
    accept_lead(engine, partner_x.tenant.admin, found.id, factories.deal_terms((partner_x.admin.id,)),
                now=factories.NOW)
    return found


def test_outcomes_close_the_partners_deals_and_another_partners_lead_is_not_found(engine, world, base_url):
    partner_a, _ = world
    partner_b = partner(engine, "Northwind Partners")
    mine, theirs = accepted(engine, partner_a, "crm-a"), accepted(engine, partner_b, "crm-b")
    body = csv_text([
        [mine.id, "", "won", "", "30000", "EUR", "Signed."],
        [theirs.id, "", "lost", "budget_not_adequate", "", "", ""],
        ["", "crm-b", "won", "", "", "", ""],
    ], header=["LeadId", "ExternalId", "Outcome", "ClosingReason", "DealValue", "DealCurrency", "Notes"])

    dry = post_csv(base_url, partner_a.admin, body, path="/api/v1/leads/outcomes", dry_run=True).json()
    assert (dry["updated"], dry["unchanged"]) == (1, 0)
    report = post_csv(base_url, partner_a.admin, body, path="/api/v1/leads/outcomes").json()
    assert (report["rows"], report["updated"], report["unchanged"]) == (3, 1, 0)
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (2, "LeadId", "not found"), (3, "ExternalId", "not found")]
    with httpx.Client(base_url=base_url) as http:
        won = http.get(f"/api/v1/leads/{mine.id}", headers=partner_a.reader.headers).json()
        still = http.get(f"/api/v1/leads/{theirs.id}", headers=partner_b.reader.headers).json()
    assert won["outcome"] == "won" and won["deal"]["estimated_value"]["amount"] == "30000.00"
    assert still["status"] == "accepted"
    again = post_csv(base_url, partner_a.admin, body, path="/api/v1/leads/outcomes").json()
    assert (again["updated"], again["unchanged"]) == (0, 1)


def test_outcomes_need_a_referrals_admin(world, base_url):
    partner_a, seller = world
    body = csv_text([["x", "won"]], header=["LeadId", "Outcome"])
    assert post_csv(base_url, partner_a.reader, body, path="/api/v1/leads/outcomes").status_code == 403
    assert post_csv(base_url, seller, body, path="/api/v1/leads/outcomes").status_code == 403
