"""The client's address, for every per-address rate limit (allauth's, and the verify page's).

`X-Forwarded-For` is believed only when the request comes straight from one of the networks in
settings.TRUSTED_PROXIES (our nginx or load balancer); anyone else could write any address there.
Each proxy appends the address it received the request from, so the client is the right-most
address that is not itself one of our proxies. A header that cannot be read falls back to the
peer's own address: never an error. Reading addresses and networks is ops.network's, which the
request id and the metrics' access check share.
"""

from ops.network import in_networks, parse_address, trusted_proxy_networks

__all__ = ["client_ip", "trusted_proxy_networks"]


def client_ip(request):
    peer_text = request.META.get("REMOTE_ADDR", "")
    peer = parse_address(peer_text)
    if peer is None:
        return peer_text or "unknown"
    networks = trusted_proxy_networks()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not in_networks(peer, networks):
        return str(peer)
    for entry in reversed(forwarded.split(",")):
        address = parse_address(entry)
        if address is None:
            break  # unreadable: nothing left of it can be trusted either
        if not in_networks(address, networks):
            return str(address)
    return str(peer)
