"""Two requests completing the last module at the same moment: one Completion, one attempt each.

Real concurrent transactions on PostgreSQL (SQLite serialises writers, so it cannot show the race);
then the same moments as real HTTP requests to a server of its own (tests/concurrency.py), which
tests/test_sqlite_concurrency.py sends to a SQLite file.
"""

import threading
import uuid

from django.db import connection

import pytest

from courses import services
from courses.models import Completion, Enrolment, QuizAttempt
from tests import concurrency
from tests.accounts.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def right_answers(module):
    return services.correct_answers(module)


def test_two_requests_finishing_the_course_at_once_record_one_completion(course):
    learner = UserFactory()
    course_page, last = course["course"], course["quiz_two"].specific
    enrolment = services.enrol(learner, course_page)
    services.mark_module_done(learner, course["lesson"].specific, course_page)
    services.submit_quiz(
        learner, course["quiz_one"].specific, course_page, right_answers(course["quiz_one"].specific), uuid.uuid4()
    )

    barrier, errors = threading.Barrier(2), []

    def finish():
        try:
            barrier.wait()
            services.submit_quiz(learner, last, course_page, right_answers(last), uuid.uuid4())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Completion.objects.filter(enrolment=enrolment).count() == 1
    assert QuizAttempt.objects.filter(enrolment=enrolment, module=last).count() == 2
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is not None


def test_two_enrol_clicks_at_once_enrol_once_without_an_error(tmp_path, course):
    concurrency.enrol_clicked_twice_at_once(tmp_path, course)


def test_the_final_quiz_sent_twice_at_once_completes_and_certifies_once(tmp_path, course):
    concurrency.final_quiz_sent_twice_at_once(tmp_path, course)
