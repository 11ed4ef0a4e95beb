"""A successful write wakes the outbox at once (web/kick.py); reads and refused writes do not."""

import pytest


@pytest.fixture
def kicks(app) -> list[int]:
    seen: list[int] = []
    app.state.kick_outbox = lambda: seen.append(1)
    return seen


def test_a_successful_write_wakes_the_outbox_once(client, partner_a, contact_me, kicks):
    response = client.put(f"/api/v1/leads/{contact_me.id}/favorite", headers=partner_a.reader.headers)
    assert response.status_code == 200, response.text
    assert kicks == [1]


def test_reads_and_refused_writes_leave_it_alone(client, partner_a, contact_me, kicks):
    assert client.get("/api/v1/leads", headers=partner_a.reader.headers).status_code == 200
    assert client.get("/api/v1/leads/export.csv", headers=partner_a.reader.headers).status_code == 200
    assert client.put("/api/v1/leads/nope/favorite", headers=partner_a.reader.headers).status_code == 404
    assert kicks == []
