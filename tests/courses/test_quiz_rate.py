"""Quizzes cannot be brute-forced: a learner may submit a module's quiz a few times in any hour
(5 unless the module says otherwise); past it the page says when to come back, and the server
refuses the attempt and records nothing."""

import datetime
import threading
import uuid

from django.db import connection
from django.utils import timezone

import pytest

from courses import services
from courses.models import ModulePage, ModuleProgress, QuizAttempt
from tests.accounts.factories import UserFactory
from tests.courses.test_courses import choice_ids, enrolled, post_quiz, question_id, right_answers
from tests.courses.test_courses_admin import module_form, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(client, course):
    learner = UserFactory(full_name="Trần Thị Mai", unit=None)
    client.force_login(learner)
    client.user = learner
    enrolled(client, course)
    client.post(course["lesson"].url, {"mark_done": "1"})
    post_quiz(client, course["quiz_one"], right_answers(course["quiz_one"]))  # quiz_two is open now
    return client


def wrong_answers(module):
    first, second = question_id(module, 0), question_id(module, 1)
    return {f"q-{first}": choice_ids(module, 0, correct=False), f"q-{second}": choice_ids(module, 1)}


def attempts_at(module):
    return QuizAttempt.objects.filter(module=module)


def fail_times(client, module, times):
    for _ in range(times):
        assert post_quiz(client, module, wrong_answers(module)).status_code == 200


def spread_attempts_over_the_past(module, *minutes_ago):
    """Date the module's attempts, oldest first, so many minutes (and 20 seconds) ago."""
    now = timezone.now()
    for attempt, minutes in zip(attempts_at(module).order_by("pk"), minutes_ago, strict=True):
        attempt.created_at = now - datetime.timedelta(minutes=minutes, seconds=20)
        attempt.save(update_fields=["created_at"])


def expected_message(count, oldest):
    """The Vietnamese message, with the time the oldest counted attempt turns an hour old, rounded up
    to the minute, in Hanoi time."""
    at = timezone.localtime(oldest + datetime.timedelta(hours=1), datetime.timezone(datetime.timedelta(hours=7)))
    at = at.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return f"Bạn đã làm bài {count} lần trong một giờ qua. Bạn có thể làm lại lúc {at:%H:%M}."


def at_the_last_quiz(course):
    """A learner enrolled and through the first two modules; the last quiz and a wrong answer to it."""
    learner = UserFactory()
    services.enrol(learner, course["course"])
    services.mark_module_done(learner, course["lesson"].specific, course["course"])
    one = course["quiz_one"].specific
    services.submit_quiz(learner, one, course["course"], services.correct_answers(one), uuid.uuid4())
    module = course["quiz_two"].specific
    wrong = {
        question_id(module, 0): choice_ids(module, 0, correct=False),
        question_id(module, 1): choice_ids(module, 1),
    }
    return learner, module, wrong


def test_five_attempts_in_an_hour_then_the_sixth_is_refused_with_the_time_to_come_back(learner_client, course):
    module = course["quiz_two"]
    fail_times(learner_client, module, 5)
    spread_attempts_over_the_past(module, 50, 40, 30, 20, 10)
    oldest = attempts_at(module).order_by("created_at").first().created_at
    message = expected_message(5, oldest)

    refused = post_quiz(learner_client, module, right_answers(module))
    page = learner_client.get(module.url)

    assert refused.status_code == 429
    assert message in refused.content.decode() and message in page.content.decode()
    assert 'class="quiz"' not in page.content.decode()  # no form is offered
    assert attempts_at(module).count() == 5
    assert not ModuleProgress.objects.filter(module=module).exists()


def test_after_an_hour_the_learner_may_try_again(learner_client, course):
    module = course["quiz_two"]
    fail_times(learner_client, module, 5)
    spread_attempts_over_the_past(module, 61, 40, 30, 20, 10)  # the oldest has left the window

    assert 'class="quiz"' in learner_client.get(module.url).content.decode()
    assert post_quiz(learner_client, module, wrong_answers(module)).status_code == 200
    assert attempts_at(module).count() == 6

    refused = post_quiz(learner_client, module, right_answers(module))  # five in the past hour again

    assert refused.status_code == 429 and attempts_at(module).count() == 6
    spread_attempts_over_the_past(module, 200, 120, 90, 80, 70, 65)
    assert post_quiz(learner_client, module, right_answers(module)).status_code == 200
    assert ModuleProgress.objects.filter(module=module).exists()


def test_a_module_sets_its_own_rate(learner_client, course):
    module = ModulePage.objects.get(pk=course["quiz_two"].pk)
    module.attempts_per_hour = 2
    module.save_revision().publish()
    fail_times(learner_client, module, 2)
    oldest = attempts_at(module).order_by("created_at").first().created_at

    refused = post_quiz(learner_client, module, right_answers(module))

    assert refused.status_code == 429 and attempts_at(module).count() == 2
    assert expected_message(2, oldest) in refused.content.decode()


def test_a_rate_lowered_since_waits_for_enough_attempts_to_leave_the_hour(learner_client, course):
    module = ModulePage.objects.get(pk=course["quiz_two"].pk)
    fail_times(learner_client, module, 5)
    spread_attempts_over_the_past(module, 50, 40, 30, 20, 10)
    module.attempts_per_hour = 3
    module.save_revision().publish()
    third_oldest = attempts_at(module).order_by("created_at")[2].created_at

    page = learner_client.get(module.url).content.decode()

    assert expected_message(5, third_oldest) in page  # 5 in the hour: under 3 once the third oldest leaves


def test_a_passed_quiz_is_unaffected(learner_client, course):
    module = course["quiz_two"]
    fail_times(learner_client, module, 4)
    token = uuid.uuid4()

    passed = post_quiz(learner_client, module, right_answers(module), token)  # the fifth: allowed
    sent_again = post_quiz(learner_client, module, right_answers(module), token)  # a double click
    page = learner_client.get(module.url).content.decode()

    assert passed.status_code == sent_again.status_code == 200
    assert "Bạn đã làm bài" not in sent_again.content.decode() + page
    assert "Bạn đã hoàn thành mô-đun này." in page
    assert attempts_at(module).count() == 5 and ModuleProgress.objects.filter(module=module).exists()


def test_other_modules_and_other_learners_count_apart(learner_client, course):
    module = course["quiz_two"]
    fail_times(learner_client, module, 5)

    other = UserFactory()
    services.enrol(other, course["course"])
    services.mark_module_done(other, course["lesson"].specific, course["course"])
    one = course["quiz_one"].specific
    services.submit_quiz(other, one, course["course"], services.correct_answers(one), uuid.uuid4())
    two = module.specific
    submission = services.submit_quiz(other, two, course["course"], services.correct_answers(two), uuid.uuid4())

    assert submission.created and submission.grade.passed


def test_the_total_attempt_limit_still_holds_and_closes_the_form(learner_client, course):
    module = ModulePage.objects.get(pk=course["quiz_two"].pk)
    module.attempt_limit = 2
    module.save_revision().publish()
    fail_times(learner_client, module, 2)

    refused = post_quiz(learner_client, module, right_answers(module))
    page = learner_client.get(module.url).content.decode()

    assert refused.status_code == 400 and attempts_at(module).count() == 2
    assert "Bạn đã dùng hết 2 lần làm bài kiểm tra này." in page and 'class="quiz"' not in page


def test_the_service_refuses_the_sixth_attempt_and_records_nothing(course):
    learner, module, wrong = at_the_last_quiz(course)
    for _ in range(5):
        assert services.submit_quiz(learner, module, course["course"], wrong, uuid.uuid4()).created

    with pytest.raises(services.TooManyAttempts):
        services.submit_quiz(learner, module, course["course"], services.correct_answers(module), uuid.uuid4())

    assert attempts_at(module).count() == 5


def test_editors_set_the_rate_in_the_module_editor_within_1_to_60(staff_client, course):
    editor = staff_client("Editors")
    quiz = [("single_choice", question("Một đáp án?", [("Đúng", True), ("Sai", False)]))]
    add = f"/admin/pages/add/courses/modulepage/{course['course'].pk}/"

    form = editor.get(add).content.decode()
    refused = editor.post(add, {**module_form(quiz), "attempts_per_hour": "0"})
    saved = editor.post(add, {**module_form(quiz), "attempts_per_hour": "3"})

    assert 'name="attempts_per_hour"' in form and "số lần làm bài mỗi giờ" in form.lower()
    assert refused.status_code == 200 and "attempts_per_hour" in refused.context["form"].errors
    assert saved.status_code == 302
    assert ModulePage.objects.get(slug="mo-dun-kiem-tra").get_latest_revision_as_object().attempts_per_hour == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_parallel_submissions_cannot_slip_past_the_rate(course):
    learner, module, wrong = at_the_last_quiz(course)
    barrier, refused, errors = threading.Barrier(8), [], []

    def submit():
        try:
            barrier.wait()
            services.submit_quiz(learner, module, course["course"], wrong, uuid.uuid4())
        except services.TooManyAttempts as error:
            refused.append(error)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert attempts_at(module).count() == 5 and len(refused) == 3
