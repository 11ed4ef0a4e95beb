"""Reading leads: the list with tabs, filters, sorts and cursors; counts; one lead; favourites; export."""

import csv
import io

from referrals.services.export import HEADERS
from referrals.services.ingest import ingest_many
from referrals.services.sweep import sweep
from tests import factories
from tests.e2e.conftest import is_problem


def _ids(response):
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_tabs_filters_and_newest_first(client, engine, partner_a):
    older = factories.ingest(engine, factories.CONTACT_ME, partner_a.id, now=factories.NOW - factories.days(1))
    trial = factories.ingest(engine, factories.FREE_TRIAL, partner_a.id, customer={"country": "DE"})
    sales = factories.ingest(engine, factories.SALES, partner_a.id)
    headers = partner_a.reader.headers
    assert set(_ids(client.get("/api/v1/leads?tab=marketplace", headers=headers))) == {older.id, trial.id}
    assert _ids(client.get("/api/v1/leads?tab=qualified", headers=headers)) == [sales.id]
    assert _ids(client.get("/api/v1/leads?country=DE", headers=headers)) == [trial.id]
    assert set(_ids(client.get("/api/v1/leads?call_to_action=free_trial&call_to_action=contact_me",
                               headers=headers))) == {older.id, trial.id}
    assert _ids(client.get("/api/v1/leads?customer=FABRIKAM&sort=created_at", headers=headers))[0] == older.id
    assert _ids(client.get("/api/v1/leads", headers=headers))[-1] == older.id


def test_pages_follow_the_cursor_to_the_end(client, engine, partner_a):
    made = {factories.ingest(engine, factories.SALES, partner_a.id, now=factories.NOW - factories.days(i)).id
            for i in range(5)}
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/leads", params=params, headers=partner_a.reader.headers).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and set(seen) == made


def test_bad_list_parameters_are_refused_by_name(client, partner_a):
    headers = partner_a.reader.headers
    for query, field in [("limit=201", "limit"), ("status=lost", "status"), ("sort=color", "sort"),
                         ("cursor=garbage", "cursor"), ("tab=spam", "tab")]:
        problem = is_problem(client.get(f"/api/v1/leads?{query}", headers=headers), 422, "validation_error")
        assert field in problem["fields"], (query, problem)


def test_tab_counts(client, engine, partner_a):
    factories.ingest(engine, factories.CONTACT_ME, partner_a.id)
    factories.ingest(engine, factories.MARKETING, partner_a.id)
    counts = client.get("/api/v1/leads/counts", headers=partner_a.reader.headers).json()
    assert counts == {"marketplace": 1, "qualified": 1, "favorites": 0}


def test_one_lead_with_urgency_quality_and_history(client, clock, partner_a, contact_me):
    response = client.get(f"/api/v1/leads/{contact_me.id}", headers=partner_a.reader.headers)
    lead = response.json()
    assert response.headers["ETag"] == lead["etag"] == contact_me.etag
    assert lead["urgency"] == "hot" and set(lead["quality"]) == {"label", "probability", "factors",
                                                                              "signed_factors"}
    assert lead["history"][0]["action"] == "received"
    clock.now = factories.NOW + factories.days(4)
    assert client.get(f"/api/v1/leads/{contact_me.id}", headers=partner_a.reader.headers).json()["urgency"] == "waiting"


def test_unknown_lead_ids_answer_404(client, partner_a):
    is_problem(client.get("/api/v1/leads/nope", headers=partner_a.reader.headers), 404, "not_found")


def test_favorites_toggle_per_user(client, partner_a, contact_me):
    url = f"/api/v1/leads/{contact_me.id}/favorite"
    assert client.put(url, headers=partner_a.reader.headers).json() == {"lead_id": contact_me.id, "favorite": True}
    assert _ids(client.get("/api/v1/leads?tab=favorites", headers=partner_a.reader.headers)) == [contact_me.id]
    assert _ids(client.get("/api/v1/leads?tab=favorites", headers=partner_a.admin.headers)) == []
    assert client.delete(url, headers=partner_a.reader.headers).json()["favorite"] is False
    assert _ids(client.get("/api/v1/leads?tab=favorites", headers=partner_a.reader.headers)) == []


def test_an_expired_lead_shows_no_contact_details_anywhere(client, engine, clock, partner_a, contact_me):
    clock.now = contact_me.response_due_at + factories.days(1)
    sweep(engine, now=clock.now)
    headers = partner_a.reader.headers
    for lead in (client.get(f"/api/v1/leads/{contact_me.id}", headers=headers).json(),
                 client.get("/api/v1/leads", headers=headers).json()["items"][0]):
        assert lead["outcome"] == "expired"
        customer = lead["customer"]
        assert customer["email"] is customer["phone"] is customer["first_name"] is customer["last_name"] is None
        assert customer["company"] == "Fabrikam Srl"
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/leads/export.csv", headers=headers).text)))
    assert rows[0]["CustomerEmail"] == rows[0]["CustomerPhone"] == ""


def test_export_streams_every_matching_row_safely(client, engine, partner_a):
    drafts = [factories.lead_draft(factories.SALES, partner_a.id) for _ in range(260)]
    ingest_many(engine, drafts, now=factories.NOW)
    factories.ingest(engine, factories.CONTACT_ME, partner_a.id, customer={"company": "=HYPERLINK(\"x\")"})
    response = client.get("/api/v1/leads/export.csv?tab=qualified", headers=partner_a.reader.headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == HEADERS and "LeadCreationDateTime" in rows[0]
    assert len(rows) == 261
    everything = client.get("/api/v1/leads/export.csv?customer=hyperlink", headers=partner_a.admin.headers).text
    assert list(csv.DictReader(io.StringIO(everything)))[0]["CustomerCompany"].startswith("'=")


def test_the_export_keeps_a_valid_phone_as_stored_and_adds_a_byte_order_mark_on_request(client, engine, partner_a):
    # given a lead with a valid international phone and a customer name that is a formula
    lead = factories.ingest(engine, factories.CONTACT_ME, partner_a.id,
                            customer={"company": '=HYPERLINK("http://evil.example")', "phone": "+39 02 4567 8910"})
    factories.restamp(engine, partner_a.id, lead.id, phone_validity="valid")
    plain = client.get("/api/v1/leads/export.csv", headers=partner_a.reader.headers)
    [row] = list(csv.DictReader(io.StringIO(plain.text)))
    # then the phone has no apostrophe, the name keeps its guard, and there is no byte-order mark by default
    assert row["CustomerPhone"] == "+39 02 4567 8910" and row["CustomerCompany"].startswith("'=")
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    # and bom=1 starts the file with EF BB BF, the rest unchanged
    marked = client.get("/api/v1/leads/export.csv?bom=1", headers=partner_a.reader.headers)
    assert marked.content.startswith(b"\xef\xbb\xbf") and marked.content[3:] == plain.content
    is_problem(client.get("/api/v1/leads/export.csv?bom=maybe", headers=partner_a.reader.headers),
               422, "validation_error")


def test_program_staff_cannot_read_partner_leads(client, seller, contact_me):
    for path in ("/api/v1/leads", "/api/v1/leads/counts", "/api/v1/leads/export.csv",
                 f"/api/v1/leads/{contact_me.id}"):
        is_problem(client.get(path, headers=seller.headers), 403, "forbidden")
