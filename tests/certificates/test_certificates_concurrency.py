"""Certificates under real concurrent transactions on PostgreSQL: one per completion, serials in order.

SQLite serialises writers, so it cannot show these races. The last test sends real HTTP requests to
a server of its own (tests/concurrency.py), as tests/test_sqlite_concurrency.py does on a SQLite file.
"""

import threading
import uuid
from types import SimpleNamespace

from django.db import connection

import pytest

from certificates import services
from certificates.models import Certificate
from courses import services as course_services
from courses.models import Completion
from tests import concurrency
from tests.accounts.factories import UserFactory
from tests.courses.factories import complete_course

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def at_once(count, work):
    """Run `work(index)` in `count` threads released together; return the exceptions raised."""
    barrier, errors = threading.Barrier(count), []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_two_requests_finishing_the_course_at_once_get_one_certificate(course):
    learner = UserFactory()
    course_page, last = course["course"], course["quiz_two"].specific
    course_services.enrol(learner, course_page)
    course_services.mark_module_done(learner, course["lesson"].specific, course_page)
    first_quiz = course["quiz_one"].specific
    course_services.submit_quiz(
        learner, first_quiz, course_page, course_services.correct_answers(first_quiz), uuid.uuid4()
    )

    errors = at_once(
        2,
        lambda _index: course_services.submit_quiz(
            learner, last, course_page, course_services.correct_answers(last), uuid.uuid4()
        ),
    )

    assert errors == []
    assert Completion.objects.filter(user=learner).count() == 1
    [certificate] = Certificate.objects.filter(user=learner)
    assert certificate.pdf and certificate.number == 1


def test_concurrent_issuing_gives_unique_gap_free_serials_in_order(course, monkeypatch):
    rendered = []
    # PDFs are not the point here: record what would be rendered.
    monkeypatch.setattr(services, "render_certificate", SimpleNamespace(enqueue=rendered.append))
    course["course"].issues_certificate = False  # completions first, certificates below, all at once
    course["course"].save()
    completions = []
    for _ in range(6):
        completions.append(complete_course(UserFactory(), course))

    errors = at_once(6, lambda index: services.issue(completions[index]))
    errors += at_once(2, lambda _index: services.issue(completions[0]))  # the same completion twice: still one

    assert errors == []
    certificates = list(Certificate.objects.order_by("pk"))
    assert [certificate.number for certificate in certificates] == [1, 2, 3, 4, 5, 6]
    assert len({certificate.serial for certificate in certificates}) == 6
    assert sorted(rendered) == [certificate.pk for certificate in certificates]


def test_a_manager_exports_while_learners_submit(tmp_path, course, unit_tree):
    concurrency.export_while_learners_submit(tmp_path, course, unit_tree)
