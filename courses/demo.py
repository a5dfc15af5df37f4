"""The demo courses and some learners' progress; called by cms's `load_demo_data` (safe to run twice)."""

import datetime
import json
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import OrganisationUnit
from cms.models import ArticleIndexPage, ProgrammeArea, ProgrammePage
from courses import services
from courses.assignments import assign
from courses.blocks import stored_question
from courses.demo_content import COURSES
from courses.models import Assignment, CourseIndexPage, CoursePage, ModulePage


def quiz_data(questions):
    return json.dumps(
        [
            stored_question(text, choices, kind, f"<p>{explanation}</p>" if explanation else "")
            for text, kind, choices, explanation in questions
        ]
    )


def load(home, stdout):
    catalogue = CourseIndexPage.objects.child_of(home).first() or home.add_child(
        instance=CourseIndexPage(
            title="Khóa học",
            slug="courses",
            show_in_menus=True,
            intro="<p>Các khóa học trực tuyến miễn phí của chương trình.</p>",
        )
    )
    courses = []
    for data in COURSES:
        course = CoursePage.objects.child_of(catalogue).filter(slug=data["slug"]).first()
        if course is None:
            course = catalogue.add_child(
                instance=CoursePage(
                    slug=data["slug"],
                    title=data["title"],
                    summary=data["summary"],
                    objectives=data["objectives"],
                    area=data["area"],
                    audience=data["audience"],
                    hours=data["hours"],
                    pass_mark=data["pass_mark"],
                    certificate_validity_months=data["validity"],
                )
            )
            for slug, title, lesson, questions in data["modules"]:
                course.add_child(
                    instance=ModulePage(
                        slug=slug,
                        title=title,
                        body=[("paragraph", f"<p>{lesson}</p>")],
                        quiz=quiz_data(questions),
                    )
                )
        courses.append(course)
    link_training_area_to(catalogue)
    assign_for_demo(courses[1])
    progress_for_demo_learners(*courses)
    stdout.write(f"Courses: {len(courses)} with {ModulePage.objects.count()} modules.")


def link_training_area_to(catalogue):
    """The programme page's area 3 (training of officials) leads to the course catalogue.

    Set through a new published revision, so the editor's next edit starts from it; an area an
    editor linked elsewhere is left alone (only an empty link, or the news the demo once used).
    """
    programme = ProgrammePage.objects.first()
    if programme is None:
        return
    page = programme.get_latest_revision_as_object()
    areas = list(page.areas.all())
    news = set(ArticleIndexPage.objects.values_list("pk", flat=True))
    stale = [
        a for a in areas if a.area == ProgrammeArea.TRAINING and (a.link_page_id is None or a.link_page_id in news)
    ]
    if not stale:
        return
    for area in stale:
        area.link_page = catalogue
    page.areas = areas  # held in memory, so the revision carries the change
    page.save_revision().publish()


def take(user, course, modules):
    """Pass the first `modules` modules with the right answers, as a learner would."""
    services.enrol(user, course)
    for module in list(course.modules())[:modules]:
        if module.has_quiz:
            services.submit_quiz(user, module, course, services.correct_answers(module), uuid.uuid4())
        else:
            services.mark_module_done(user, module, course)


def assign_for_demo(officials):
    """The officials' course, assigned to the demo ward by its manager, due in 30 days (once)."""
    ward = OrganisationUnit.objects.filter(code="HN-P-HOANKIEM").first()
    if ward is None or Assignment.objects.filter(course=officials, unit=ward).exists():
        return
    manager = get_user_model().objects.filter(manager_scopes__unit=ward).first()
    assign(officials, [ward], timezone.localdate() + datetime.timedelta(days=30), manager)


def progress_for_demo_learners(awareness, officials):
    users = (
        get_user_model().objects.filter(email__in=["hocvien1@example.org", "hocvien2@example.org"]).order_by("email")
    )
    if len(users) < 2 or users[0].enrolments.exists():
        return
    first, second = users
    take(first, awareness, 2)  # halfway through the awareness course
    take(second, awareness, 4)  # completed it
    take(second, officials, 3)  # halfway through the officials' course
