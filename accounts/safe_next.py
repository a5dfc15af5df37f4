"""Where a visitor asked to go next (`?next=`), kept only when it stays on this site.

allauth asks its adapter (AccountAdapter.is_safe_url) before it follows or passes on a `next`;
the adapter asks here. Only this host, and only https when the request came by https: the
confirmation link in an e-mail must not become a way to send a learner to another site. Anything
else, including garbage no URL parser accepts, is dropped rather than refused with an error.
"""

import contextlib

from django.core.exceptions import DisallowedHost
from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000  # longer than any path of the site; a longer value is not a place to go


def safe_next(request, value):
    """`value` if it is a URL on this site, else None. Without a request, only a path is kept."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        return None
    hosts, https = set(), False
    # A request to a name we do not serve (DisallowedHost) keeps only a path.
    with contextlib.suppress(DisallowedHost):
        if request is not None:
            hosts, https = {request.get_host()}, request.is_secure()
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=hosts, require_https=https) else None
