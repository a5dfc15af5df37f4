"""Probes for load balancers and process supervisors; both cheap, never cached, exempt from the HTTPS redirect."""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops.cache import UNAVAILABLE, cache_status
from ops.queue import queue_state
from ops.replica import replica_state
from ops.storage import storage_status


@never_cache
@require_safe
def healthz(request):
    """Readiness for load balancers: each part's state; 503 only when the site cannot serve.

    The database is the one part the site cannot do without. Redis down leaves it "degraded"
    but serving (ops.cache falls back to a per-process cache), so the answer stays 200 and the
    load balancer keeps sending traffic. So does the object storage down (ops.storage): pages
    serve, downloads say to come back. The task queue is reported, not judged: a late
    certificate is no reason to take an app server out.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        queue = queue_state()
    except DatabaseError:
        database, tasks = "down", None
    else:
        database = "up"
        tasks = {
            "waiting": queue.waiting,
            "oldest_waiting_seconds": (
                round(queue.oldest_waiting_seconds, 1) if queue.oldest_waiting_seconds is not None else None
            ),
            "running": queue.running,
        }
    cache_state = cache_status(cache)
    files = storage_status()
    if database == "down":
        status = "unavailable"
    elif cache_state == UNAVAILABLE or files == "down":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {
            "status": status,
            "database": database,
            "cache": cache_state,
            "storage": files,
            "tasks": tasks,
            **replica_health(),
        },
        status=503 if database == "down" else 200,
    )


def replica_health():
    """The standby the reports read: "up", "down" or "none", and its lag. Reported, not judged:
    while it is down the reports read the primary."""
    state = replica_state()
    lag = round(state.lag_seconds, 1) if state.lag_seconds is not None else None
    return {"replica": state.status, "replica_lag_seconds": lag}


@never_cache
@require_safe
def livez(request):
    """Liveness for process supervisors: the process answers. No database, no cache: their outage
    is /healthz's business, and restarting a healthy process would not bring them back."""
    return JsonResponse({"status": "alive"})
