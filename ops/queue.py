"""The state of the background task queue (django-tasks-db), for /healthz and the metrics."""

from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from django_tasks_db.models import DBTaskResult


@dataclass(frozen=True)
class QueueState:
    waiting: int  # ready to run now
    running: int
    oldest_waiting_seconds: float | None  # None when nothing waits


def queue_state():
    """How many tasks wait and run, and how long the oldest waiting one has waited (one query each)."""
    waiting = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min("enqueued_at"))
    running = DBTaskResult.objects.running().count()
    oldest = waiting["oldest"]
    return QueueState(
        waiting=waiting["count"],
        running=running,
        oldest_waiting_seconds=(timezone.now() - oldest).total_seconds() if oldest else None,
    )
