"""Error reports to Sentry (sentry-sdk) when SENTRY_DSN is set; nothing is sent, nor the SDK
started, when it is not.

What leaves the server is what a developer needs to find the fault and nothing of a person's:
the exception's type, message and stack (code, no local variables), the view, the request's
method and path (no query string, body, cookies or headers), the release, and the request id
that the 500 page showed the learner (tag `request_id`), by which support finds the log lines.
No user object: Sentry would hold e-mail addresses and names. Every hook below removes rather
than masks, and a last pass replaces anything shaped like an e-mail address in any text left.
"""

import os
import re
from urllib.parse import urlsplit, urlunsplit

from ops.request_id import current_request_id

EMAIL_ADDRESS = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
# PostgreSQL's errors quote the row they refused: "DETAIL:  Key (email)=(an@example.org) exists."
DATABASE_DETAIL = re.compile(r"\n?(?:DETAIL|HINT|CONTEXT):.*", re.DOTALL)
# Breadcrumbs whose message is code, not text about a person: SQL has its values as placeholders
# (the values themselves are sent only with send_default_pii, which is off).
CODE_BREADCRUMBS = {"query"}
OFF = {"mode": "off"}
NOTHING_PERSONAL = {
    "user_info": False,
    "cookies": OFF,
    "http_headers": {"request": OFF},
    "http_bodies": [],
    "url_query_params": OFF,
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
    "gen_ai": {"inputs": False, "outputs": False},
}
KEPT_CONTEXTS = {"trace", "runtime", "os"}
KEPT_SPAN_DATA = {"db.system", "db.operation", "db.name", "http.method", "http.response.status_code", "thread.id"}


def init_sentry(environ=None):
    """Start the SDK if the environment names a DSN; say whether it was started."""
    environ = os.environ if environ is None else environ
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environ.get("SENTRY_ENVIRONMENT") or "production",
        release=environ.get("SENTRY_RELEASE") or None,
        # Performance traces are off unless asked for (0 = no tracing at all, not sampled at 0).
        traces_sample_rate=float(environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0) or None,
        # What the integrations collect on their own: nothing of a person's. (data_collection is
        # this SDK's successor to send_default_pii=False; it also turns off request bodies, query
        # strings, headers and frame variables, which send_default_pii=False would still send.)
        data_collection=NOTHING_PERSONAL,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )
    return True


def scrub_event(event, hint=None):
    """before_send and before_send_transaction: keep what locates the fault, drop what is personal."""
    if request_id := current_request_id():
        event.setdefault("tags", {})["request_id"] = request_id
    if "request" in event:
        event["request"] = _scrub_request(event["request"])
    user_id = (event.get("user") or {}).get("id")
    event.pop("user", None)
    if user_id is not None:
        event["user"] = {"id": str(user_id)}
    event.pop("extra", None)
    event.pop("modules", None)  # the installed packages: not personal, but not needed either
    if logentry := event.get("logentry"):
        # The message as the code wrote it ("Grading failed for %s"), without what filled it.
        event["logentry"] = {"message": logentry.get("message", "")}
    event.pop("message", None)
    if "contexts" in event:
        event["contexts"] = {name: value for name, value in event["contexts"].items() if name in KEPT_CONTEXTS}
    for exception in (event.get("exception") or {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = DATABASE_DETAIL.sub("", exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values", []):
        for frame in (thread.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs["values"] = [scrub_breadcrumb(crumb) for crumb in breadcrumbs.get("values", [])]
    elif isinstance(breadcrumbs, list):
        event["breadcrumbs"] = [scrub_breadcrumb(crumb) for crumb in breadcrumbs]
    for span in event.get("spans") or []:
        _scrub_span(span)
    return _without_email_addresses(event)


def scrub_breadcrumb(crumb, hint=None):
    """before_breadcrumb: when and what kind of thing happened; the text only when it is code."""
    kept = {key: crumb[key] for key in ("timestamp", "type", "category", "level") if key in crumb}
    if crumb.get("category") in CODE_BREADCRUMBS and isinstance(crumb.get("message"), str):
        kept["message"] = crumb["message"]
    return _without_email_addresses(kept)


def _scrub_request(request):
    kept = {"method": request.get("method")}
    if isinstance(request.get("url"), str):
        kept["url"] = _without_query(request["url"])
    return kept


def _scrub_span(span):
    span["data"] = {key: value for key, value in (span.get("data") or {}).items() if key in KEPT_SPAN_DATA}
    if not str(span.get("op", "")).startswith("db") and isinstance(span.get("description"), str):
        span["description"] = _without_query(span["description"])
    span.pop("tags", None)


def _without_query(url):
    if "?" not in url and "#" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _without_email_addresses(value):
    if isinstance(value, str):
        return EMAIL_ADDRESS.sub("[email]", value)
    if isinstance(value, dict):
        return {key: _without_email_addresses(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_email_addresses(item) for item in value]
    return value
