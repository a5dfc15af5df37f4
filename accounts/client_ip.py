"""The client's address, for every per-address rate limit (allauth's, and the verify page's).

`X-Forwarded-For` is believed only when the request comes straight from one of the networks in
settings.TRUSTED_PROXIES (our nginx or load balancer); anyone else could write any address there.
Each proxy appends the address it received the request from, so the client is the right-most
address that is not itself one of our proxies. A header that cannot be read falls back to the
peer's own address: never an error.
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _networks(entries):
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES holds something that is not an IP address or network: {error}"
        ) from error


def trusted_proxy_networks():
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text):
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


def _is_trusted(address, networks):
    return any(address in network for network in networks)


def client_ip(request):
    peer_text = request.META.get("REMOTE_ADDR", "")
    peer = _address(peer_text)
    if peer is None:
        return peer_text or "unknown"
    networks = trusted_proxy_networks()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not _is_trusted(peer, networks):
        return str(peer)
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:
            break  # unreadable: nothing left of it can be trusted either
        if not _is_trusted(address, networks):
            return str(address)
    return str(peer)
