"""Nothing stays RUNNING for ever: a task past TASK_RUNNING_LIMIT goes back to the queue and runs again."""

import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult

from certificates.models import Certificate
from ops.queue import requeue_stuck
from tests.certificates.factories import CertificateFactory


@pytest.fixture
def database_queue(settings):
    # As in production: the "background" tasks go to a database queue that a worker works through.
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_RUNNING_LIMIT = 180


def task_of(certificate):
    return next(result for result in DBTaskResult.objects.all() if result.args_kwargs["args"] == [certificate.pk])


def claimed_by_a_killed_worker(certificate, seconds_ago):
    task = task_of(certificate)
    task.claim("killed-worker")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))
    return task


# Transactional: the issuing queues its render on commit, and the worker opens its own connections.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_running_past_the_limit_is_queued_again_and_a_worker_then_renders_the_pdf(
    database_queue, course, caplog
):
    stuck = CertificateFactory(course=course["course"])
    young = CertificateFactory(course=course["course"])
    stuck_task = claimed_by_a_killed_worker(stuck, seconds_ago=181)
    young_task = claimed_by_a_killed_worker(young, seconds_ago=120)

    output = io.StringIO()
    call_command("requeue_stuck_tasks", stdout=output)

    assert output.getvalue() == "Tasks requeued (RUNNING over 180 s): 1.\n"
    assert DBTaskResult.objects.get(pk=stuck_task.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=young_task.pk).status == TaskResultStatus.RUNNING
    assert f"Task {stuck_task.pk} (certificates.services.render_certificate) was RUNNING for 181 s" in caplog.text
    assert requeue_stuck() == []  # a second machine's run at the same minute moves nothing again

    call_command("run_worker", "--backend=background", "--batch", "--no-startup-delay", verbosity=0)

    stuck.refresh_from_db()
    finished = DBTaskResult.objects.get(pk=stuck_task.pk)
    assert finished.status == TaskResultStatus.SUCCESSFUL and finished.worker_ids[0] == "killed-worker"
    assert len(finished.worker_ids) == 2  # claimed again by the new worker
    assert stuck.pdf and stuck.pdf.open("rb").read().startswith(b"%PDF")
    assert [message.to for message in mail.outbox] == [[stuck.user.email]]
    # The younger one may still be running somewhere: left alone until it passes the limit.
    assert not Certificate.objects.get(pk=young.pk).pdf
    assert DBTaskResult.objects.get(pk=young_task.pk).status == TaskResultStatus.RUNNING
