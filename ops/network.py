"""Who is on the other end of the socket: the peer's address, and whether it is one of ours.

The bottom of every trust decision made on an address: the client's address behind our proxies
(accounts.client_ip, for rate limits), whether a request id sent by the proxy may be believed
(ops.request_id), whether the peer may read the metrics (ops.metrics). Lists of networks come from
settings (TRUSTED_PROXIES, METRICS_ALLOWED_NETWORKS); a mistyped entry stops the start.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _networks(setting, entries):
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{setting} holds something that is not an IP address or network: {error}"
        ) from error


def networks_from_setting(setting):
    """The networks a setting lists (IPs or CIDR networks), parsed once per value."""
    return _networks(setting, tuple(getattr(settings, setting)))


def trusted_proxy_networks():
    return networks_from_setting("TRUSTED_PROXIES")


def parse_address(text):
    """An IP address from a socket or a forwarding header, or None when it is not one."""
    text = text.strip()
    # Some load balancers write the client's port too: "203.0.113.5:4711", "[2001:db8::5]:443".
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # "::ffff:203.0.113.5" is the IPv4 client on a dual-stack socket: one client, one key.
    return getattr(address, "ipv4_mapped", None) or address


def in_networks(address, networks):
    return address is not None and any(address in network for network in networks)


def peer_address(request):
    """The address the request came from on the socket (our proxy's, when it came through one)."""
    return parse_address(request.META.get("REMOTE_ADDR", ""))


def peer_is_trusted_proxy(request):
    return in_networks(peer_address(request), trusted_proxy_networks())
