"""Who the client is: the peer, unless a trusted proxy forwarded the request; then X-Forwarded-For read from
the right, past every trusted proxy."""

import pytest

from referrals.config import Settings
from referrals.web.client import address_key, parse_networks, resolve
from referrals.web.ratelimit_signin import FREE_FAILURES, MAX_DELAY, account_delay

PROXIES = parse_networks("10.0.0.1, 10.1.0.0/16, fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),  # not a proxy: its header is not read
        ("127.0.0.1", ["198.51.100.1"], "127.0.0.1"),  # loopback is not trusted unless listed
        ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client's own part is never read
        ("10.0.0.1", ["6.6.6.6, 198.51.100.1, 10.1.2.3"], "198.51.100.1"),  # past every trusted hop
        ("10.0.0.1", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # header lines read as one list
        ("10.0.0.1", [], "10.0.0.1"),  # nothing forwarded: the proxy itself
        ("10.0.0.1", ["10.1.0.9"], "10.1.0.9"),  # every hop trusted: the leftmost
        ("10.0.0.1", ["garbage, 10.1.0.9"], "10.1.0.9"),  # an unreadable hop ends the walk
        ("10.0.0.1", ["198.51.100.1:4711"], "198.51.100.1"),
        ("fd00::1", ["[2001:db8::5]:443"], "2001:db8::5"),
        ("::ffff:10.0.0.1", ["198.51.100.1"], "198.51.100.1"),  # an IPv4-mapped peer is its IPv4 address
        ("testclient", ["198.51.100.1"], "testclient"),  # a peer that is no address is what it is
    ],
)
def test_the_client_address_is_read_past_trusted_proxies_only(peer, forwarded, client):
    assert resolve(peer, forwarded, PROXIES) == client


def test_without_trusted_proxies_the_header_is_never_read():
    assert resolve("127.0.0.1", ["198.51.100.1"], parse_networks("")) == "127.0.0.1"


def test_ipv6_addresses_are_limited_by_their_64_prefix_and_ipv4_ones_alone():
    assert address_key("2001:db8:1:2::5") == address_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert address_key("203.0.113.7") == "203.0.113.7"


def test_a_trusted_proxy_setting_that_is_not_an_address_is_refused_at_start():
    with pytest.raises(ValueError, match="not-an-address"):
        Settings(trusted_proxies="10.0.0.1, not-an-address")
    with pytest.raises(ValueError, match="rate limit"):
        Settings(login_rate_limit="ten a minute")


def test_the_account_delay_starts_after_the_free_failures_doubles_and_stops_growing():
    delays = [account_delay(FREE_FAILURES + n) for n in range(8)]
    assert delays == [0, 1, 2, 4, 8, MAX_DELAY, MAX_DELAY, MAX_DELAY]
