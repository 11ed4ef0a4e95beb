"""Who is asking, as an address: the one place that decides it, for every rate limit and for the sign-in alert.

The peer of the connection is the client, unless it is one of REFERRALS_TRUSTED_PROXIES (addresses or CIDR
ranges; none by default, not even loopback). Then X-Forwarded-For is read from the right, each trusted proxy
having appended the address it was talking to: the first address that is not a trusted proxy is the client.
Whatever a client writes into the header itself sits to the left of that and is never read, so rotating it
changes nothing. `referrals serve` runs uvicorn with proxy_headers=False so that nothing else rewrites the peer.
"""

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.requests import Request

Networks = tuple[IPv4Network | IPv6Network, ...]
UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def parse_networks(value: str) -> Networks:
    """"10.0.0.5, 192.168.0.0/16" → the networks; a bad entry is a ValueError naming it."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError as error:
            raise ValueError(f"{entry!r} is not an IP address or a CIDR range") from error
    return tuple(networks)


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    """An address as proxies write it: plain, "[v6]:port" or "v4:port"; None when it is none of those."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Networks) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve(peer: str, forwarded_for: list[str], proxies: Networks) -> str:
    """The client's address, given the connection's peer, the X-Forwarded-For header lines and the trusted
    proxies."""
    current = _parse(peer)
    if not _trusted(current, proxies):
        return str(current) if current is not None else (peer or UNKNOWN)
    hops = [hop for line in forwarded_for for hop in line.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # not an address: the trusted proxy that sent it is the last hop we can vouch for
        current = address
        if not _trusted(address, proxies):
            return str(address)
    return str(current)  # every hop a trusted proxy: the leftmost one we could read


def client_address(request: Request) -> str:
    """The address every limiter keys on (see the module's docstring)."""
    settings = getattr(request.app.state, "settings", None)
    proxies = parse_networks(getattr(settings, "trusted_proxies", "") or "")
    peer = request.client.host if request.client else UNKNOWN
    return resolve(peer, request.headers.getlist("x-forwarded-for") if proxies else [], proxies)


def address_key(address: str) -> str:
    """What a per-address limit counts under: an IPv6 address by its /64, which one subscriber usually holds
    whole (counting each of its addresses apart would let one client rotate through them)."""
    parsed = _parse(address)
    if isinstance(parsed, IPv6Address):
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed) if parsed is not None else address


def client_key(request: Request) -> str:
    """What a per-address limit counts the request under."""
    return address_key(client_address(request))
