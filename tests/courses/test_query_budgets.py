"""The signed-in learner's pages within their query budgets (issue 17), whatever the size of the
course, the number of other learners or of the learner's own enrolments: a module page at most 8
queries, a quiz submission at most 15, /my/ with 20 enrolments at most 10."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from courses import services
from courses.blocks import stored_question
from courses.models import Completion, Enrolment, ModuleProgress, QuizAttempt
from tests.accounts.factories import DEFAULT_PASSWORD, OrganisationUnitFactory, UserFactory
from tests.certificates.factories import CertificateFactory
from tests.courses.factories import (
    AssignmentFactory,
    CompletionFactory,
    CoursePageFactory,
    ModulePageFactory,
    QuizModuleFactory,
)

pytestmark = pytest.mark.django_db

MODULE_PAGE_BUDGET, QUIZ_SUBMISSION_BUDGET, DASHBOARD_BUDGET = 8, 15, 10


def signed_in(client, learner):
    """The learner signed in through the login form, as in a browser."""
    response = client.post(reverse("account_login"), {"login": learner.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def course_of(catalogue, modules, questions, slug):
    """An unordered course of `modules` modules, each a quiz of `questions` questions."""
    course = CoursePageFactory(parent=catalogue, slug=slug, modules_in_order=False, pass_mark=100)
    quiz = [
        stored_question(f"Câu {n}", [("Đúng", True), ("Sai", False), ("Không rõ", False)]) for n in range(questions)
    ]
    return course, [
        QuizModuleFactory(parent=course, slug=f"{slug}-{n}", title=f"Mô-đun {n}", questions=quiz)
        for n in range(modules)
    ]


def others_with_progress(course, modules, count):
    """`count` other learners enrolled in the course, each with a module done and an attempt."""
    for n in range(count):
        enrolment = Enrolment.objects.create(user=UserFactory(), course=course)
        ModuleProgress.objects.create(enrolment=enrolment, module=modules[n % len(modules)], score=100)
        QuizAttempt.objects.create(
            enrolment=enrolment, module=modules[0], token=uuid.uuid4(), score=0, passed=False, answers={}
        )


def answers(module, right=True):
    return {
        f"q-{question.id}": [choice.id for choice in question.value["choices"].bound_blocks if choice.value["correct"]]
        if right
        else [question.value["choices"].bound_blocks[-1].id]
        for question in module.specific.quiz
    }


def queries_of(request):
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    return len(captured), response


def module_page_and_submission(client, course, modules, learner):
    """The queries of a module page (after one module done and a failed attempt) and of a passing
    quiz submission at the next module, both as the learner."""
    services.enrol(learner, course)
    client.post(modules[0].url, {"token": str(uuid.uuid4()), **answers(modules[0])})
    client.post(modules[1].url, {"token": str(uuid.uuid4()), **answers(modules[1], right=False)})
    client.get(modules[1].url)  # the first view after publishing walks the page tree; this one does not
    page, response = queries_of(lambda: client.get(modules[1].url))
    html = response.content.decode()
    assert f"{course.title}</a> · Mô-đun 2/{len(modules)}" in html and 'name="token"' in html
    submission, response = queries_of(
        lambda: client.post(modules[1].url, {"token": str(uuid.uuid4()), **answers(modules[1])})
    )
    assert ModuleProgress.objects.filter(enrolment__user=learner, module=modules[1]).exists()
    return page, submission


def test_a_module_page_and_a_quiz_submission_stay_in_budget_whatever_the_course_and_the_other_learners(client, course):
    catalogue = course["catalogue"]
    small_course, small_modules = course_of(catalogue, modules=3, questions=1, slug="nho")
    large_course, large_modules = course_of(catalogue, modules=12, questions=10, slug="lon")
    others_with_progress(small_course, small_modules, 1)
    others_with_progress(large_course, large_modules, 50)

    counts = []
    for course_page, modules in ((small_course, small_modules), (large_course, large_modules)):
        learner = UserFactory()
        counts.append(module_page_and_submission(signed_in(client, learner), course_page, modules, learner))
        client.logout()
    small, large = counts

    assert small == large, (small, large)
    page, submission = large
    assert page <= MODULE_PAGE_BUDGET and submission <= QUIZ_SUBMISSION_BUDGET, large


@pytest.fixture
def signed_in_client(client):
    def sign_in(learner):
        signed_in(client, learner)
        client.user = learner
        return client

    return sign_in


def test_the_module_page_shows_what_the_learner_has_done_from_its_one_query(signed_in_client, course):
    learner = UserFactory()
    client = signed_in_client(learner)
    lesson, quiz_one = course["lesson"], course["quiz_one"]
    client.post(course["course"].url + "enrol/")
    assert "Hãy hoàn thành các mô-đun trước" in client.get(quiz_one.url).content.decode()

    client.post(lesson.url, {"mark_done": "1"})

    html = client.get(quiz_one.url).content.decode()
    assert "Hãy hoàn thành các mô-đun trước" not in html and 'name="token"' in html


# -- /my/ -----------------------------------------------------------------------------------------


def learner_with_courses(home_page, catalogue, count):
    """A learner of a unit enrolled in `count` courses of two modules: the first completed with a
    certificate, the others under way with a module done, each also assigned to the learner's unit."""
    unit = OrganisationUnitFactory()
    learner = UserFactory(unit=unit)
    for n in range(count):
        course = CoursePageFactory(parent=catalogue, slug=f"khoa-{count}-{n}")
        first = ModulePageFactory(parent=course, slug=f"khoa-{count}-{n}-a")
        ModulePageFactory(parent=course, slug=f"khoa-{count}-{n}-b")
        AssignmentFactory(course=course, unit=unit)
        if n == 0:
            CertificateFactory(completion=CompletionFactory(course=course, user=learner))
        else:
            enrolment = services.enrol(learner, course)
            ModuleProgress.objects.create(enrolment=enrolment, module=first)
    return learner


def test_my_page_stays_in_budget_with_one_or_twenty_enrolments(signed_in_client, course, home_page):
    counts = []
    for count in (1, 20):
        learner = learner_with_courses(home_page, course["catalogue"], count)
        client = signed_in_client(learner)
        client.get(reverse("dashboard"))
        queries, response = queries_of(lambda: client.get(reverse("dashboard")))  # noqa: B023
        html = response.content.decode()
        assert Completion.objects.get(user=learner).course_title in html
        if count == 20:
            assert 'value="50"' in html  # a course under way: one module of two
        counts.append(queries)
        client.logout()

    assert counts[0] == counts[1] and counts[1] <= DASHBOARD_BUDGET, counts
