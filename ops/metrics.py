"""Prometheus metrics, for the operator only: request latency by view, the task queue, certificate
render time.

Where the numbers come from, and how they reach the operator (docs/decisions.md, issue 14):
- Each gunicorn instance answers `GET /metrics` on its own address. Its worker processes write
  their numbers to files in PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode, a
  directory of the instance's own, empty at each start), and whichever worker answers the scrape
  adds them all up. The queue's figures are read from the database at scrape time.
- The task worker (`manage.py run_worker`, which renders the certificates) is a process of its
  own: `serve_worker_metrics()` serves its numbers on WORKER_METRICS_ADDRESS (loopback by default).
- Only a peer in METRICS_ALLOWED_NETWORKS (loopback by default) that did not come through our
  proxy gets them; anyone else gets the site's 404 page (metrics_not_found). The answer is made here,
  in the middleware, before the host is checked or a session read: Prometheus scrapes an app
  server by its address, over plain HTTP, without a session.
"""

import logging
import os
import socket
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.db import DatabaseError
from django.http import Http404, HttpResponse

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    make_wsgi_app,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.multiprocess import MultiProcessCollector

from ops.network import in_networks, networks_from_setting, parse_address, peer_address
from ops.queue import queue_state

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# Headers our proxies add: a request carrying one came through the proxy, from the outside.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP", "HTTP_FORWARDED")
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_SECONDS = Histogram(
    "gbv_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it, by view, method and status class.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CERTIFICATE_RENDER_SECONDS = Histogram(
    "gbv_certificate_render_seconds",
    "Time to render one certificate PDF (certificates.pdf.render_pdf).",
    buckets=(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60),
)


class QueueCollector:
    """The task queue as it is at scrape time: waiting, running, and the oldest waiting task's age."""

    def collect(self):
        try:
            state = queue_state()
        except DatabaseError:
            logger.warning("The task queue could not be read for the metrics.", exc_info=True)
            return
        yield GaugeMetricFamily("gbv_task_queue_waiting", "Background tasks ready to run.", value=state.waiting)
        yield GaugeMetricFamily("gbv_task_queue_running", "Background tasks running.", value=state.running)
        yield GaugeMetricFamily(
            "gbv_task_queue_oldest_waiting_seconds",
            "How long the oldest waiting task has waited (0 when none waits).",
            value=state.oldest_waiting_seconds or 0,
        )


class _ThisProcess:
    """This process's own metrics, when it is the only one (no PROMETHEUS_MULTIPROC_DIR)."""

    def collect(self):
        return REGISTRY.collect()


def web_registry():
    """What `/metrics` answers: every worker process of this instance, and the queue."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(QueueCollector())
    return registry


def may_read_metrics(request):
    """Straight from an allowed network, not through the proxy."""
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False
    return in_networks(peer_address(request), networks_from_setting("METRICS_ALLOWED_NETWORKS"))


def view_label(request):
    """The view that answered, by name; a Wagtail page by its type (and route, for routable pages)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # No view answered: a page-cache hit, a middleware's redirect or refusal, a path no route matches.
        return "(no view)"
    if match.url_name == "wagtail_serve":
        # Wagtail keeps the page it routed to on the request (Page.route_for_request).
        route = getattr(request, "_wagtail_route_for_request", None)
        if not route:
            return "wagtail_serve"
        label = f"page:{route[0]._meta.label_lower}"
        if sub_route := getattr(request, "routable_resolver_match", None):
            label += f":{sub_route.url_name}"
        return label
    return match.view_name or match._func_path


class MetricsMiddleware:
    """Times every request by view; answers the operator's scrape at /metrics. Near the top of
    MIDDLEWARE (after the request id and the Permissions-Policy header), so the time covers the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == METRICS_PATH and request.method in ("GET", "HEAD") and may_read_metrics(request):
            response = HttpResponse(generate_latest(web_registry()), content_type=CONTENT_TYPE_LATEST)
            response["Cache-Control"] = "private, no-store"
            return response
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            view=view_label(request),
            method=request.method if request.method in METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def metrics_not_found(request):
    """/metrics for everyone MetricsMiddleware does not answer: the site's 404 page. A route of its
    own, so that the path is not redirected to /metrics/ (APPEND_SLASH) like an unknown one."""
    raise Http404


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # a line on stderr for every scrape
        pass


def serve_worker_metrics(address=None):
    """Serve this process's metrics (the task worker's certificate renders) over HTTP, in a thread.

    address: "host:port", by default the environment's WORKER_METRICS_ADDRESS, else
    127.0.0.1:9810; "off" serves nothing. Answers only peers in METRICS_ALLOWED_NETWORKS. A port
    already taken (a second worker on the machine) is logged, not fatal: the worker's job is the
    queue. Returns the server, or None.
    """
    address = address or os.environ.get("WORKER_METRICS_ADDRESS") or "127.0.0.1:9810"
    if address == "off":
        return None
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    metrics_app = make_wsgi_app(REGISTRY)

    def app(environ, start_response):
        allowed = networks_from_setting("METRICS_ALLOWED_NETWORKS")
        if not in_networks(parse_address(environ.get("REMOTE_ADDR", "")), allowed):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not Found"]
        return metrics_app(environ, start_response)

    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    try:
        server = make_server(host, int(port), app, Server, handler_class=_QuietHandler)
    except (OSError, ValueError) as error:
        logger.warning("The worker's metrics could not be served on %s: %s", address, error)
        return None
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    logger.info("The worker's metrics are served on http://%s/metrics", address)
    return server
