"""The background task queue (django-tasks-db): its state for /healthz and the metrics, and the
reclaiming of tasks whose worker died.

django-tasks-db has no heartbeat and no time limit: a task whose worker was killed stays RUNNING
for ever. `requeue_stuck` puts a task RUNNING longer than settings.TASK_RUNNING_LIMIT back in the
queue, so a task may run twice (or, when the original was only slow, twice at once): every task
must be safe to run again (docs/decisions.md, issue 14).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min
from django.tasks import TaskResultStatus
from django.utils import timezone

from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("ops.queue")


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


def requeue_stuck(limit_seconds=None):
    """Put tasks RUNNING for longer than the limit back to READY, logging each; returns their ids.

    Each is a conditional update on the state it was read in (still RUNNING, same start), so two
    machines running this at once, or a worker finishing the task meanwhile, move it at most once.
    """
    limit = settings.TASK_RUNNING_LIMIT if limit_seconds is None else limit_seconds
    now = timezone.now()
    stuck = DBTaskResult.objects.running().filter(started_at__lt=now - datetime.timedelta(seconds=limit))
    requeued = []
    for task_id, task_path, started_at, worker_ids in stuck.values_list("pk", "task_path", "started_at", "worker_ids"):
        moved = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at).update(
            status=TaskResultStatus.READY
        )
        if moved:
            requeued.append(task_id)
            logger.warning(
                "Task %s (%s) was RUNNING for %.0f s, over the %s s limit (worker %s): back in the queue.",
                task_id,
                task_path,
                (now - started_at).total_seconds(),
                limit,
                ", ".join(worker_ids) or "unknown",
            )
    return requeued


def pending_args(task):
    """The arguments of the task's runs waiting or running in a database queue, as tuples.

    Empty when the task's backend keeps no queue (the immediate backend runs a task as it is
    enqueued). A caller queueing work again skips what is already on its way.
    """
    if not isinstance(task.get_backend(), DatabaseBackend):
        return set()
    rows = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        backend_name=task.backend,
        task_path=task.module_path,
    ).values_list("args_kwargs", flat=True)
    return {tuple(row["args"]) for row in rows}
