"""Issue 14's acceptance over HTTP: the search finds a phone by its digits and a lead by its id; a spam-flagged
Contact me lead is not hot; the urgency sort orders the list, keeps its moment in the cursor, and is not the API's
default."""

from datetime import timedelta

from tests import factories


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_phone_written_with_spaces_is_found_by_its_digits_and_a_lead_id_finds_exactly_one(client, engine, partner_a):
    # given a lead whose phone is stored as "+39 02 4567 8910", among others
    wanted = factories.ingest(engine, factories.CONTACT_ME, partner_a.id, customer={"phone": "+39 02 4567 8910"})
    others = [factories.ingest(engine, kind, partner_a.id, customer={"phone": "+39 06 1111 2222"})
              for kind in factories.LEAD_KINDS]
    # when the list is searched by the digits, with or without the spaces
    for q in ("0245678910", "02 4567 8910", "+39 02 4567 8910"):
        found = _ids(client.get("/api/v1/leads", params={"q": q}, headers=partner_a.admin.headers))
        # then exactly that lead is found
        assert found == [wanted.id], q
    # and a lead id finds exactly that one lead
    lead = others[2]
    assert _ids(client.get("/api/v1/leads", params={"q": lead.id}, headers=partner_a.reader.headers)) == [lead.id]


def test_a_spam_flagged_contact_me_lead_of_a_minute_ago_is_not_hot_and_a_clean_one_is(client, engine, partner_a, clock):
    # given two Contact me leads created a minute ago, one of them flagged as spam
    clean = factories.ingest(engine, factories.CONTACT_ME, partner_a.id, now=factories.NOW - timedelta(minutes=1))
    flagged = factories.ingest(engine, factories.CONTACT_ME, partner_a.id, now=factories.NOW - timedelta(minutes=1))
    factories.restamp(engine, partner_a.id, flagged.id, spam=True, spam_reasons=["email: a known spam address"])
    clock.now = factories.NOW
    # when the list and each lead are read
    items = {item["id"]: item for item in client.get("/api/v1/leads", headers=partner_a.admin.headers).json()["items"]}
    detail = {lead_id: client.get(f"/api/v1/leads/{lead_id}", headers=partner_a.admin.headers).json()
              for lead_id in (clean.id, flagged.id)}
    # then only the clean one is hot, in the list and in its detail alike
    assert items[clean.id]["urgency"] == detail[clean.id]["urgency"] == "hot"
    assert items[flagged.id]["urgency"] == detail[flagged.id]["urgency"]
    assert items[flagged.id]["urgency"] != "hot"


def test_the_urgency_sort_walks_hot_then_waiting_then_the_rest_and_keeps_its_moment(client, engine, partner_a, clock):
    # given a hot lead (ingested 71 hours before the first page), a newer one, a waiting qualified lead and an
    # informational one
    first_page_at = factories.NOW
    older_hot = factories.ingest(engine, factories.CONTACT_ME, partner_a.id, now=first_page_at - timedelta(hours=71))
    newer_hot = factories.ingest(engine, factories.PROFILE, partner_a.id, now=first_page_at - timedelta(hours=1))
    waiting = factories.ingest(engine, factories.SALES, partner_a.id, now=first_page_at - timedelta(hours=2))
    other = factories.ingest(engine, factories.FREE_TRIAL, partner_a.id, now=first_page_at - timedelta(minutes=5))
    expected = [newer_hot.id, older_hot.id, waiting.id, other.id]
    headers = partner_a.reader.headers
    # when the list is read by urgency two leads a page, and two hours pass after the first page (the older lead is
    # then no longer hot: read afresh, it would lead the waiting group and show again on the second page)
    clock.now = first_page_at
    page = client.get("/api/v1/leads", params={"sort": "urgency", "limit": 2}, headers=headers).json()
    seen = [item["id"] for item in page["items"]]
    clock.now = first_page_at + timedelta(hours=2)
    while page["next_cursor"]:
        page = client.get("/api/v1/leads", params={"sort": "urgency", "limit": 2, "cursor": page["next_cursor"]},
                          headers=headers).json()
        seen += [item["id"] for item in page["items"]]
    # then the walk kept the first page's moment: every lead once, in that moment's order
    assert seen == expected
    # while the API's default order is still newest first
    newest = [lead.id for lead in sorted((older_hot, newer_hot, waiting, other),
                                         key=lambda lead: (lead.created_at, lead.id), reverse=True)]
    assert _ids(client.get("/api/v1/leads", params={"limit": 10}, headers=headers)) == newest
