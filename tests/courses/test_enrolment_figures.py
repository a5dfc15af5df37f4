"""An enrolment's modules_done and last_activity_at (courses.figures) are exact to the last commit:
each writer of progress keeps them, a change to a course's live modules recomputes them, and the
migration fills them for the rows that were there before.

The property test drives the real services through random learners' paths (enrolments, lessons
done, quizzes passed and failed, completions, renewals after a lapse, modules published and
unpublished) and after every step finds the stored figures equal to those recomputed from the
records. Runs are bounded (no deadline: the machine is shared) so the file takes seconds.
"""

import datetime
import importlib
import uuid

from django.apps import apps as django_apps
from django.utils import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses import services
from courses.figures import figures_from_records
from courses.models import Completion, Enrolment, ModuleProgress
from tests.accounts.factories import UserFactory
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    ModulePageFactory,
    QuizModuleFactory,
    yes_no_question,
)

pytestmark = pytest.mark.django_db

FIGURES = ("modules_done", "last_activity_at")


def stored_and_recomputed(enrolments=None):
    """[(pk, stored figures, figures recomputed from the records)] of every enrolment."""
    enrolments = enrolments or Enrolment.objects.all()
    recomputed = {f"recomputed_{name}": expression for name, expression in figures_from_records().items()}
    rows = enrolments.annotate(**recomputed).order_by("pk").values("pk", *FIGURES, *recomputed)
    return [
        (row["pk"], tuple(row[name] for name in FIGURES), tuple(row[f"recomputed_{name}"] for name in FIGURES))
        for row in rows
    ]


def assert_figures_exact():
    for pk, stored, recomputed in stored_and_recomputed():
        assert stored == recomputed, f"enrolment {pk}: stored {stored}, from the records {recomputed}"


def figures_of(enrolment):
    enrolment.refresh_from_db()
    return enrolment.modules_done, enrolment.last_activity_at


def pass_quiz(user, module, course):
    return services.submit_quiz(user, module, course, services.correct_answers(module), uuid.uuid4())


def fail_quiz(user, module, course):
    """Every question answered with one of its choices, never the right one."""
    right = services.correct_answers(module)
    wrong = {
        question.id: {next(c.id for c in question.value["choices"].bound_blocks if c.id not in right[question.id])}
        for question in module.quiz
    }
    return services.submit_quiz(user, module, course, wrong, uuid.uuid4())


@pytest.fixture
def open_course(home_page):
    """A course taken in any order, valid a year: two lessons, two quizzes, and a draft lesson."""
    catalogue = CourseIndexPageFactory(parent=home_page)
    course = CoursePageFactory(
        parent=catalogue,
        modules_in_order=False,
        pass_mark=100,
        certificate_validity_months=12,
        issues_certificate=False,
    )
    modules = [
        ModulePageFactory(parent=course, title="Bài 1", slug="bai-1"),
        QuizModuleFactory(parent=course, title="Kiểm tra 1", slug="kiem-tra-1"),
        ModulePageFactory(parent=course, title="Bài 2", slug="bai-2"),
        QuizModuleFactory(
            parent=course,
            title="Kiểm tra 2",
            slug="kiem-tra-2",
            questions=[yes_no_question(), yes_no_question("Bạo lực chỉ xảy ra ở nhà?")],
        ),
    ]
    draft = ModulePageFactory(parent=course, title="Bài mới", slug="bai-moi")
    draft.unpublish()
    return {"catalogue": catalogue, "course": course, "modules": [*modules, draft]}


def lapse(user, course):
    """A year and a day go by for the learner's completions: the course may be taken again."""
    Completion.objects.filter(user=user, course=course).update(
        completed_on=timezone.localdate() - datetime.timedelta(days=367)
    )


# --- Each writer -------------------------------------------------------------------------------


def test_enrolling_is_the_first_activity(open_course):
    enrolment = services.enrol(UserFactory(), open_course["course"])
    assert figures_of(enrolment) == (0, enrolment.started_at)


def test_a_lesson_done_counts_once_and_is_the_latest_activity(open_course):
    user, course, lesson = UserFactory(), open_course["course"], open_course["modules"][0]
    enrolment = services.enrol(user, course)
    services.mark_module_done(user, lesson, course)
    done_at = ModuleProgress.objects.get(enrolment=enrolment).completed_at
    assert figures_of(enrolment) == (1, done_at)
    services.mark_module_done(user, lesson, course)  # again: nothing new
    assert figures_of(enrolment) == (1, done_at)
    assert_figures_exact()


def test_a_quiz_counts_when_passed_only(open_course):
    user, course, quiz = UserFactory(), open_course["course"], open_course["modules"][1]
    enrolment = services.enrol(user, course)
    fail_quiz(user, quiz, course)
    assert figures_of(enrolment) == (0, enrolment.started_at)
    pass_quiz(user, quiz, course)
    assert figures_of(enrolment)[0] == 1
    assert_figures_exact()


def test_the_completion_is_the_latest_activity_and_a_renewal_starts_again(open_course):
    user, course = UserFactory(), open_course["course"]
    first = services.enrol(user, course)
    for module in open_course["modules"][:4]:
        if module.has_quiz:
            pass_quiz(user, module, course)
        else:
            services.mark_module_done(user, module, course)
    first.refresh_from_db()
    assert first.completed_at is not None and figures_of(first) == (4, first.completed_at)

    lapse(user, course)
    renewal = services.enrol(user, course)
    assert renewal.pk != first.pk
    assert figures_of(renewal) == (0, renewal.started_at)
    assert figures_of(first) == (4, first.completed_at)  # the old enrolment keeps what it did
    assert_figures_exact()


def test_a_module_done_while_a_draft_counts_once_published(open_course):
    user, course, draft = UserFactory(), open_course["course"], open_course["modules"][4]
    enrolment = services.enrol(user, course)
    services.mark_module_done(user, draft, course)
    assert figures_of(enrolment)[0] == 0
    draft.save_revision().publish()
    assert figures_of(enrolment)[0] == 1
    assert_figures_exact()


def test_unpublishing_deleting_and_moving_a_done_module_take_it_off(open_course):
    user, course = UserFactory(), open_course["course"]
    lesson_one, _quiz, lesson_two, quiz_two, _draft = open_course["modules"]
    enrolment = services.enrol(user, course)
    services.mark_module_done(user, lesson_one, course)
    services.mark_module_done(user, lesson_two, course)
    pass_quiz(user, quiz_two, course)
    assert figures_of(enrolment)[0] == 3

    lesson_one.unpublish()
    assert figures_of(enrolment)[0] == 2
    lesson_one.save_revision().publish()
    assert figures_of(enrolment)[0] == 3

    other_course = CoursePageFactory(parent=open_course["catalogue"])
    lesson_two.move(other_course, pos="last-child")
    assert figures_of(enrolment)[0] == 2

    quiz_two.delete()
    assert figures_of(enrolment)[0] == 1
    assert_figures_exact()


def test_a_copied_module_counts_nothing_until_done(open_course):
    user, course, lesson = UserFactory(), open_course["course"], open_course["modules"][0]
    enrolment = services.enrol(user, course)
    services.mark_module_done(user, lesson, course)
    lesson.copy(update_attrs={"slug": "bai-1-ban-sao", "title": "Bài 1 (bản sao)"}, to=course, keep_live=True)
    assert figures_of(enrolment)[0] == 1
    assert_figures_exact()


def test_the_migration_fills_the_figures_of_existing_enrolments(open_course):
    user, course = UserFactory(), open_course["course"]
    lesson, quiz = open_course["modules"][:2]
    services.enrol(user, course)
    services.mark_module_done(user, lesson, course)
    pass_quiz(user, quiz, course)
    services.enrol(UserFactory(), course)
    expected = [stored for _pk, stored, _recomputed in stored_and_recomputed()]
    Enrolment.objects.update(modules_done=0, last_activity_at=None)  # as the schema migration left them

    migration = importlib.import_module("courses.migrations.0011_fill_enrolment_figures")
    migration.fill_figures(django_apps, schema_editor=None)

    assert (
        [stored for _pk, stored, _recomputed in stored_and_recomputed()]
        == expected
        == [
            (2, ModuleProgress.objects.latest("completed_at").completed_at),
            (0, Enrolment.objects.latest("pk").started_at),
        ]
    )


# --- Any path through the services --------------------------------------------------------------

LEARNERS = 3
STEPS = st.one_of(
    st.tuples(st.just("enrol"), st.integers(0, LEARNERS - 1)),
    st.tuples(st.just("take"), st.integers(0, LEARNERS - 1), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("lapse"), st.integers(0, LEARNERS - 1)),
    st.tuples(st.just("publish"), st.integers(0, 4), st.booleans()),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=20))
def test_the_figures_equal_the_records_after_every_step(open_course, steps):
    course = open_course["course"]
    learners = [UserFactory() for _ in range(LEARNERS)]  # new learners each example
    for step in steps:
        kind, *arguments = step
        if kind == "enrol":
            services.enrol(learners[arguments[0]], course)
        elif kind == "take":
            learner, index, right = arguments
            module = open_course["modules"][index]
            module.refresh_from_db()
            try:
                if not module.has_quiz:
                    services.mark_module_done(learners[learner], module, course)
                elif right:
                    pass_quiz(learners[learner], module, course)
                else:
                    fail_quiz(learners[learner], module, course)
            except services.CourseRuleError:
                pass  # not enrolled, or no attempt left: the service refused, nothing was recorded
        elif kind == "lapse":
            lapse(learners[arguments[0]], course)
        else:
            index, live = arguments
            module = open_course["modules"][index]
            module.refresh_from_db()
            if live and not module.live:
                module.save_revision().publish()
            elif not live and module.live:
                module.unpublish()
        assert_figures_exact()
    # What the learner's pages show is what the records show (courses.services.progress_percent).
    shown = services.learner_progress(learners[0], [course])
    latest = Enrolment.objects.filter(user=learners[0], course=course, superseded=False).first()
    if latest is not None:
        module_count = len(course.modules())
        recorded = services.progress_percent(latest.modules_done, module_count, latest.completed_at is not None)
        assert shown[course.pk].percent == recorded
