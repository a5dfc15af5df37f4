"""Settings for a worker a test starts as a process of its own, against a database of its own
(DATABASE_URL): the test settings, with the background tasks on the database queue and
connections kept open, as in production."""

import os

from config.settings.test import *  # noqa: F403

TASKS = {**TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405 - an outage breaks a connection held open
# Every process of the test (the worker, the one issuing) stores and finds PDFs in one place.
STORAGES["certificates"]["OPTIONS"]["location"] = os.environ["CERTIFICATES_ROOT"]  # noqa: F405
