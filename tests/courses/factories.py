import datetime
import json
import uuid

from django.utils import timezone

import factory

from courses.blocks import stored_question
from courses.models import Assignment, Completion, CourseIndexPage, CoursePage, Enrolment, ModulePage
from tests.accounts.factories import OrganisationUnitFactory, UserFactory
from tests.cms.factories import PageFactory


class CourseIndexPageFactory(PageFactory):
    """The course catalogue; pass parent=<home page>."""

    class Meta:
        model = CourseIndexPage

    title = "Khóa học"
    slug = "courses"


class CoursePageFactory(PageFactory):
    """A course with no modules yet; pass parent=<catalogue>."""

    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Khóa học thử {n}")
    slug = factory.Sequence(lambda n: f"khoa-hoc-thu-{n}")
    summary = "."
    objectives = "<p>.</p>"
    hours = 1


def yes_no_question(text="Bạo lực chỉ là đánh đập?", explanation=""):
    """A single-choice question whose right answer is the second choice, "Sai"."""
    return stored_question(text, [("Đúng", False), ("Sai", True)], explanation=explanation)


class ModulePageFactory(PageFactory):
    """A lesson: a module without a quiz; pass parent=<course>, and questions=[...] for a quiz
    (stored_question dicts, as the StreamField stores them)."""

    class Meta:
        model = ModulePage

    class Params:
        questions = ()

    title = factory.Sequence(lambda n: f"Mô-đun {n}")
    slug = factory.Sequence(lambda n: f"mo-dun-{n}")
    quiz = factory.LazyAttribute(lambda module: json.dumps(list(module.questions)))


class QuizModuleFactory(ModulePageFactory):
    """A module with a quiz: one yes/no question unless given `questions`."""

    class Params:
        questions = factory.LazyFunction(lambda: [yes_no_question()])


def make_course(home):
    """The `course` fixture: a catalogue under `home` and an ordered course of three modules (a
    lesson, a single-choice quiz with three attempts, a two-question quiz), pass mark 100%."""
    catalogue = CourseIndexPageFactory(parent=home)
    course = CoursePageFactory(
        parent=catalogue,
        title="Hiểu đúng về bạo lực trên cơ sở giới",
        slug="hieu-dung",
        summary="Khóa học cho mọi người.",
        objectives="<p>Nhận diện bạo lực.</p>",
        area=1,
        hours=2,
        pass_mark=100,
        modules_in_order=True,
    )
    lesson = ModulePageFactory(parent=course, title="Khái niệm", slug="khai-niem")
    quiz_one = QuizModuleFactory(
        parent=course,
        title="Các hình thức",
        slug="hinh-thuc",
        questions=[yes_no_question(explanation="<p>Còn nhiều hình thức khác.</p>")],
        attempt_limit=3,
    )
    quiz_two = QuizModuleFactory(
        parent=course,
        title="Tìm trợ giúp",
        slug="tim-tro-giup",
        questions=[
            stored_question("Gọi số nào khi trẻ em bị xâm hại?", [("111", True), ("114", False)]),
            stored_question(
                "Những hành vi nào là bạo lực?",
                [("Đánh đập", True), ("Kiểm soát tiền", True), ("Lắng nghe", False)],
                kind="multiple_choice",
            ),
        ],
    )
    return {"catalogue": catalogue, "course": course, "lesson": lesson, "quiz_one": quiz_one, "quiz_two": quiz_two}


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An open enrolment of a new learner; pass course=<course page>."""

    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)


class CompletionFactory(factory.django.DjangoModelFactory):
    """A finished course as courses.services records it (learner, unit and course copied as they are
    today, the enrolment closed), without taking the modules; pass course=<course page>.

    complete_course() takes the modules instead, when the path there matters.
    """

    class Meta:
        model = Completion
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, user=factory.SelfAttribute("..user"), course=factory.SelfAttribute("..course")
    )
    full_name = factory.SelfAttribute("user.full_name")
    unit_code = factory.LazyAttribute(lambda c: c.user.unit.code if c.user.unit else "")
    unit_name = factory.LazyAttribute(lambda c: c.user.unit.name if c.user.unit else "")
    course_title = factory.SelfAttribute("course.title")
    area = factory.SelfAttribute("course.area")
    hours = factory.SelfAttribute("course.hours")
    completed_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def close_enrolment(self, create, extracted, **kwargs):
        if create:
            Enrolment.objects.filter(pk=self.enrolment_id).update(completed_at=timezone.now(), score=self.score)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A course assigned to a unit, due in 30 days; pass course=<course page>."""

    class Meta:
        model = Assignment

    unit = factory.SubFactory(OrganisationUnitFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


def complete_course(user, course):
    """Take every module of the `course` fixture as a learner would: its Completion (a certificate
    follows on commit when the course issues one)."""
    from courses import services

    course_page = course["course"]
    services.enrol(user, course_page)
    services.mark_module_done(user, course["lesson"].specific, course_page)
    for key in ("quiz_one", "quiz_two"):
        module = course[key].specific
        services.submit_quiz(user, module, course_page, services.correct_answers(module), uuid.uuid4())
    return Completion.objects.filter(user=user, course=course_page).order_by("-pk").first()
