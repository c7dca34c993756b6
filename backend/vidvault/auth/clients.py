"""The client address a throttle counts against.

The address comes from the socket, or from X-Forwarded-For when the server
trusts the peer as a proxy (FORWARDED_ALLOW_IPS, see vidvault/server). One
IPv6 subscriber gets a whole /64, so IPv6 clients are keyed by their /64:
otherwise every address in it would be a fresh client to the throttles.
"""

import ipaddress

IPV6_CLIENT_PREFIX = 64
# A peer that is not an IP address (a unix socket's name, say) is kept as a
# literal, but never more of it than a key needs.
MAX_LITERAL_LENGTH = 64


def throttle_client_key(host: str | None) -> str:
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:MAX_LITERAL_LENGTH]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False))
    return str(address)
