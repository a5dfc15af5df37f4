"""Whether a request failed because the database cannot be reached, and what to tell the visitor.

The site cannot serve a signed-in page without its database, but that is an outage that passes,
not a bug: the visitor gets a 503 with Retry-After (cms.error_views.server_error) instead of the
500 page, and a proxy or monitor tells the two apart.
"""

from django.db import InterfaceError, OperationalError

# Seconds a visitor (or a crawler) is asked to wait: a database restart or fail-over.
RETRY_AFTER_SECONDS = 30


def database_unavailable(exception):
    """True when `exception`, or one it was raised from, is the database driver failing to connect
    or losing its connection (Django's OperationalError, InterfaceError: a closed connection)."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, OperationalError | InterfaceError):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False
