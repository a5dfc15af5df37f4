"""The embedded default holds concurrent use: real requests at the same moment on a SQLite file.

`make run` serves from a SQLite file; these tests run the server the same way (tests/concurrency.py)
on a file copied from the test database, so they fail when the SQLite options of
config/settings/base.py (WAL, a busy timeout, IMMEDIATE transactions) are taken away. The same
scenarios run on PostgreSQL in tests/courses/test_courses_concurrency.py and test_certificates_concurrency.py.
"""

from django.db import connection

import pytest

from tests import concurrency

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL run has these in the *_concurrency tests"),
]


def test_two_enrol_clicks_at_once_enrol_once_without_an_error(tmp_path, course):
    concurrency.enrol_clicked_twice_at_once(tmp_path, course)


def test_the_final_quiz_sent_twice_at_once_completes_and_certifies_once(tmp_path, course):
    concurrency.final_quiz_sent_twice_at_once(tmp_path, course)


def test_a_manager_exports_while_learners_submit(tmp_path, course, unit_tree):
    concurrency.export_while_learners_submit(tmp_path, course, unit_tree)
