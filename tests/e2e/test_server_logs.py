"""No secrets in the logs of a running `referrals serve`: a marketplace posts to its endpoint, whose path is
its inbound key, and a program seller calls the API with a token; neither appears in what the server wrote."""

import json

import httpx

from tests.e2e.served import environment, referrals, serving

PAYLOAD = {"UserDetails": {"FirstName": "Some", "LastName": "One", "Email": "someone@contoso.com",
                           "Country": "USA", "Company": "Contoso"},
           "LeadSource": "AzureMarketplace-INS|publisher.offer", "ActionCode": "INS",
           "OfferTitle": "Contoso CRM", "Description": "Installed."}


def test_the_access_log_shows_marketplace_requests_without_their_key(tmp_path):
    env = environment(f"sqlite:///{tmp_path / 'referrals.db'}")
    referrals("migrate", env=env)
    partner = json.loads(referrals("partners", "add", "Contoso Consulting", "--country", "US", "--json",
                                   env=env).stdout)
    referrals("users", "add", "seller@program.example", "--program", "--role", "program-seller", env=env)
    token = json.loads(referrals("tokens", "create", "seller@program.example", "--json", env=env).stdout)["token"]
    key = partner["inbound_key"]
    wrong_key = "ik_" + "x" * 32

    with serving(env, tmp_path / "logs") as server:
        posted = httpx.post(f"{server.url}/inbound/marketplace/{key}", json=PAYLOAD)
        assert posted.status_code == 201, posted.text
        assert httpx.post(f"{server.url}/inbound/marketplace/{wrong_key}", json=PAYLOAD).status_code == 404
        listed = httpx.get(f"{server.url}/api/v1/leads", headers={"Authorization": f"Bearer {token}"},
                           cookies={"referrals_session": "a-cookie-value-of-some-length"})
        assert listed.status_code in (200, 403), listed.text

    logs = server.logs()
    assert '"POST /inbound/marketplace/[redacted] HTTP/1.1" 201' in logs  # the request was logged...
    assert '"POST /inbound/marketplace/[redacted] HTTP/1.1" 404' in logs
    for secret in (key, key.removeprefix("ik_"), wrong_key, token, token.removeprefix("rfl_")):
        assert secret not in logs  # ...its key was not
