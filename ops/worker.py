"""The task worker that outlives a database outage.

django-tasks-db's worker loop exits on the first OperationalError it does not recognise as a lock,
so a PostgreSQL restart stopped every certificate until someone noticed. This worker runs the
same loop; when the database drops it closes the broken connections, waits with exponential
back-off and jitter until the database answers, and runs the loop again.
"""

import contextlib
import logging
import random
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections, router

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("ops.worker")

# The errors of a database that went away (psycopg's and sqlite's alike); anything else is a bug
# and still stops the worker, for the supervisor to restart and the logs to show.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def close_connections():
    """Drop every connection this process holds; a broken one may fail even to close."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


def database_answers(alias):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except CONNECTION_ERRORS:
        close_connections()
        return False
    return True


class ResilientWorker(Worker):
    """django-tasks-db's Worker, reconnecting instead of exiting when the database drops.

    A task whose result could not be recorded during the outage stays RUNNING and is put back in
    the queue by `requeue_stuck_tasks` (ops.queue.requeue_stuck). SIGTERM and SIGINT behave as in
    the original: the current task finishes, and a worker waiting for the database exits at once.
    """

    first_delay = 1.0
    max_delay = 30.0

    def run(self):
        while True:
            try:
                return super().run()
            except CONNECTION_ERRORS as error:
                self.running_task = False  # a signal while we wait must end the process at once
                close_connections()
                if not self.running:  # asked to stop while a task was running: stop now
                    return None
                self.wait_for_database(error)

    def wait_for_database(self, error):
        alias = router.db_for_write(DBTaskResult)
        logger.warning(
            "Worker %s lost the database (%s: %s); reconnecting with back-off.",
            self.worker_id,
            type(error).__name__,
            " ".join(str(error).split()),  # one line: psycopg's messages span several
        )
        lost_at, delay = time.monotonic(), self.first_delay
        while self.running:
            # Jitter, so that several workers do not knock on a restarting database at the same moment.
            pause = delay * random.uniform(0.5, 1.0)  # noqa: S311 - not for security
            time.sleep(pause)
            if database_answers(alias):
                logger.warning(
                    "Worker %s reconnected to the database after %.0f s.", self.worker_id, time.monotonic() - lost_at
                )
                return
            delay = min(delay * 2, self.max_delay)
            logger.info(
                "Worker %s: the database still does not answer; next try in about %.0f s.", self.worker_id, delay
            )
