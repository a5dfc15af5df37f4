from django.conf import settings
from django.core.management.base import BaseCommand

from ops.queue import requeue_stuck


class Command(BaseCommand):
    help = (
        "Put background tasks RUNNING longer than TASK_RUNNING_LIMIT (their worker was killed) back in the "
        "queue. Run every minute; safe on several machines at once."
    )

    def handle(self, *args, **options):
        requeued = requeue_stuck()
        self.stdout.write(f"Tasks requeued (RUNNING over {settings.TASK_RUNNING_LIMIT} s): {len(requeued)}.")
