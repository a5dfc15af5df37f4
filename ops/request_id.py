"""One id per request, on every log line written while it is handled, on its error report and on
its 500 page, and returned in the `X-Request-ID` response header.

nginx sends its `$request_id` (32 hex digits) so that its access log and ours share the id; it is
taken only from one of our proxies (settings.TRUSTED_PROXIES) and only in that form. Anyone else's
header, or a malformed one, is replaced by a fresh id: a visitor must not be able to plant an id
in our logs, nor text that would forge a log line.
"""

import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

from ops.network import peer_is_trusted_proxy

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[0-9a-f]{32}")

_current = ContextVar("request_id", default=None)


def current_request_id():
    """The id of the request being handled here, or None outside a request (a command, the worker)."""
    return _current.get()


def new_request_id():
    return uuid.uuid4().hex


def request_id_for(request):
    sent = request.META.get("HTTP_X_REQUEST_ID", "")
    if WELL_FORMED.fullmatch(sent) and peer_is_trusted_proxy(request):
        return sent
    return new_request_id()


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that everything below it, the error pages included, logs with the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.request_id = request_id_for(request)
        # Kept until the response is closed (request_finished), not only while the middleware
        # runs: Django logs a 4xx after the last middleware has returned, an export writes its
        # rows (and logs) while it streams, and gunicorn writes its access line before the close.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget_request_id(**kwargs):
    _current.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="ops.request_id.forget")
