"""Editors build courses in the Wagtail admin: validation, moderation and search."""

import html
import json

from django.utils import translation
from django.utils.translation import gettext

from wagtail.models import Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from courses.models import CoursePage, ModulePage
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def list_block(values):
    """A ListBlock's admin form data, as streamfield() gives a StreamBlock's."""
    return {
        "count": len(values),
        **{str(index): {"value": value, "deleted": "", "order": str(index)} for index, value in enumerate(values)},
    }


def course_form(**fields):
    data = {
        "title": "Khóa học mới",
        "slug": "khoa-hoc-moi",
        "summary": "Tóm tắt.",
        "objectives": rich_text("<p>Mục tiêu.</p>"),
        "area": "3",
        "audience": "officials",
        "hours": "4",
        "pass_mark": "80",
        "modules_in_order": "on",
        "issues_certificate": "on",
        "certificate_validity_months": "",
        "comments": inline_formset([]),
    }
    data.update(fields)
    return nested_form_data(data)


def module_form(quiz):
    return nested_form_data(
        {
            "title": "Mô-đun có bài kiểm tra",
            "slug": "mo-dun-kiem-tra",
            "body": streamfield([]),
            "quiz": streamfield(quiz),
            "attempt_limit": "",
            "comments": inline_formset([]),
        }
    )


def question(text, choices):
    return {
        "question": text,
        "choices": list_block([{"text": choice, "correct": "on" if correct else ""} for choice, correct in choices]),
        "explanation": rich_text(""),
    }


def vietnamese(message):
    with translation.override("vi"):
        return gettext(message)


@pytest.fixture
def editor_client(staff_client):
    return staff_client("Editors")


def test_an_editor_saves_a_course_draft_with_every_field(editor_client, course):
    catalogue = course["catalogue"]
    response = editor_client.post(
        f"/admin/pages/add/courses/coursepage/{catalogue.pk}/", course_form(certificate_validity_months="24")
    )

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    saved = CoursePage.objects.get(slug="khoa-hoc-moi")
    assert (saved.area, saved.audience, saved.hours, saved.pass_mark) == (3, "officials", 4, 80)
    assert saved.modules_in_order and saved.issues_certificate and saved.certificate_validity_months == 24
    assert not saved.live  # editors submit for moderation; they do not publish


@pytest.mark.parametrize("pass_mark", ["0", "101", "tám mươi"])
def test_a_pass_mark_outside_1_to_100_is_refused_with_a_message(editor_client, course, pass_mark):
    catalogue = course["catalogue"]
    response = editor_client.post(
        f"/admin/pages/add/courses/coursepage/{catalogue.pk}/", course_form(pass_mark=pass_mark)
    )

    assert response.status_code == 200
    assert "pass_mark" in response.context["form"].errors
    assert not CoursePage.objects.filter(slug="khoa-hoc-moi").exists()


@pytest.mark.parametrize(
    "kind, choices, message",
    [
        ("single_choice", [("A", False), ("B", False)], "Mark exactly one correct choice."),
        ("single_choice", [("A", True), ("B", True)], "Mark exactly one correct choice."),
        ("multiple_choice", [("A", False), ("B", False)], "Mark at least one correct choice."),
    ],
)
def test_a_question_without_the_right_number_of_correct_choices_is_refused(
    editor_client, course, kind, choices, message
):
    response = editor_client.post(
        f"/admin/pages/add/courses/modulepage/{course['course'].pk}/",
        module_form([(kind, question("Câu hỏi?", choices))]),
    )

    assert response.status_code == 200
    # The stream editor receives its errors as JSON in an attribute; the admin shows them in place.
    assert json.dumps(vietnamese(message)) in html.unescape(response.content.decode())
    assert not ModulePage.objects.filter(slug="mo-dun-kiem-tra").exists()


def test_a_module_with_a_valid_quiz_is_saved_with_its_answers(editor_client, course):
    response = editor_client.post(
        f"/admin/pages/add/courses/modulepage/{course['course'].pk}/",
        module_form(
            [
                ("single_choice", question("Một đáp án?", [("Đúng", True), ("Sai", False)])),
                ("multiple_choice", question("Nhiều đáp án?", [("A", True), ("B", True), ("C", False)])),
            ]
        ),
    )

    assert response.status_code == 302
    quiz = ModulePage.objects.get(slug="mo-dun-kiem-tra").get_latest_revision_as_object().quiz
    assert [(q.block_type, [c["correct"] for c in q.value["choices"]]) for q in quiz] == [
        ("single_choice", [True, False]),
        ("multiple_choice", [True, True, False]),
    ]


def test_courses_and_modules_are_under_moderator_approval(course):
    for page in (course["course"], course["quiz_one"]):
        workflow = page.get_workflow()
        assert workflow is not None and workflow == Workflow.objects.get(name="Moderator approval")
    editor = UserFactory(roles=["Editors"])
    assert not course["course"].permissions_for_user(editor).can_publish()
    assert course["course"].permissions_for_user(editor).can_edit()


def test_courses_and_modules_appear_in_site_search(client, course):
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    for key in ("course", "quiz_two"):
        backend.add(course[key].specific)

    assert course["course"].title in client.get("/search/", {"q": "bạo lực"}).content.decode()
    assert course["quiz_two"].title in client.get("/search/", {"q": "trợ giúp"}).content.decode()
