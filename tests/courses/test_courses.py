"""Taking a course: enrolment, modules in order, quizzes graded on the server, one completion."""

import re
import uuid

from django.core.exceptions import ValidationError
from django.urls import reverse

import pytest

from courses import services
from courses.models import Completion, Enrolment, ModuleProgress, QuizAttempt
from tests.accounts.factories import UserFactory
from tests.courses.factories import CoursePageFactory, ModulePageFactory, QuizModuleFactory

pytestmark = pytest.mark.django_db


def choice_ids(module, question_index=0, correct=True):
    question = list(module.specific.quiz)[question_index]
    return [c.id for c in question.value["choices"].bound_blocks if c.value["correct"] == correct]


def question_id(module, index=0):
    return list(module.specific.quiz)[index].id


def right_answers(module):
    return {f"q-{question}": sorted(choices) for question, choices in services.correct_answers(module.specific).items()}


def post_quiz(client, module, answers, token=None):
    return client.post(module.url, {"token": str(token or uuid.uuid4()), **answers})


@pytest.fixture
def learner_client(client, course):
    learner = UserFactory(full_name="Trần Thị Mai", unit=None)
    client.force_login(learner)
    client.user = learner
    return client


def enrolled(client, course):
    client.post(course["course"].url + "enrol/")
    return Enrolment.objects.get(user=client.user)


def test_enrolling_takes_one_post_and_the_course_page_shows_progress(learner_client, course):
    response = learner_client.post(course["course"].url + "enrol/")

    assert response.status_code == 302
    assert Enrolment.objects.filter(user=learner_client.user, course=course["course"]).count() == 1
    learner_client.post(course["course"].url + "enrol/")
    assert Enrolment.objects.count() == 1
    html = learner_client.get(course["course"].url).content.decode()
    assert 'value="0"' in html and "Khái niệm" in html


def test_enrol_needs_a_post(learner_client, course):
    assert learner_client.get(course["course"].url + "enrol/").status_code == 405


def test_modules_in_order_are_locked_until_the_previous_one_is_done(learner_client, course):
    enrolled(learner_client, course)

    response = post_quiz(learner_client, course["quiz_one"], right_answers(course["quiz_one"]))

    assert response.status_code == 400
    assert "Hãy hoàn thành các mô-đun trước: khóa học này học theo thứ tự." in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_a_lesson_is_done_when_marked_and_a_quiz_when_passed(learner_client, course):
    enrolment = enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})

    wrong = post_quiz(
        learner_client,
        course["quiz_one"],
        {f"q-{question_id(course['quiz_one'])}": choice_ids(course["quiz_one"], correct=False)},
    )
    assert wrong.status_code == 200 and "Điểm của bạn: 0% (điểm đạt 100%)." in wrong.content.decode()
    assert not ModuleProgress.objects.filter(module=course["quiz_one"]).exists()

    right = post_quiz(learner_client, course["quiz_one"], right_answers(course["quiz_one"]))
    assert "Điểm của bạn: 100%" in right.content.decode() and "Còn nhiều hình thức khác." in right.content.decode()
    assert set(enrolment.progress.values_list("module__slug", flat=True)) == {"khai-niem", "hinh-thuc"}
    assert QuizAttempt.objects.filter(enrolment=enrolment).count() == 2


def test_correct_answers_are_never_in_the_page_before_submission(learner_client, course):
    enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})

    html = learner_client.get(course["quiz_one"].url).content.decode()

    assert "correct" not in html.lower().replace("incorrect", "")
    assert "Còn nhiều hình thức khác." not in html


def test_completing_every_module_records_one_immutable_completion(learner_client, course):
    enrolment = enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})
    post_quiz(learner_client, course["quiz_one"], right_answers(course["quiz_one"]))
    post_quiz(learner_client, course["quiz_two"], right_answers(course["quiz_two"]))

    completion = Completion.objects.get(enrolment=enrolment)
    assert (completion.full_name, completion.course_title, completion.area, completion.score) == (
        "Trần Thị Mai",
        "Hiểu đúng về bạo lực trên cơ sở giới",
        1,
        100,
    )
    with pytest.raises(ValidationError):
        completion.save()

    learner = learner_client.user
    learner.full_name = "Tên đã đổi"
    learner.save()
    course["course"].title = "Tên khóa học mới"
    course["course"].save_revision().publish()
    course["course"].add_child(instance=type(course["lesson"])(title="Mô-đun thêm sau", slug="them-sau"))
    completion.refresh_from_db()
    assert completion.full_name == "Trần Thị Mai" and completion.course_title == "Hiểu đúng về bạo lực trên cơ sở giới"
    assert Completion.objects.filter(enrolment=enrolment).count() == 1

    dashboard = learner_client.get(reverse("dashboard")).content.decode()
    assert "Hiểu đúng về bạo lực trên cơ sở giới" in dashboard and 'value="100"' in dashboard


@pytest.mark.parametrize(
    "case",
    [
        "unknown question",
        "unknown choice",
        "choice of another question",
        "two choices on single",
        "missing answer",
        "bad token",
    ],
)
def test_bad_quiz_submissions_get_a_message_and_record_nothing(learner_client, course, case):
    enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})
    module = course["quiz_two"]
    post_quiz(learner_client, course["quiz_one"], right_answers(course["quiz_one"]))
    answers = right_answers(module)
    first, second = question_id(module, 0), question_id(module, 1)
    token = None
    if case == "unknown question":
        answers[f"q-{uuid.uuid4()}"] = [str(uuid.uuid4())]
    elif case == "unknown choice":
        answers[f"q-{first}"] = [str(uuid.uuid4())]
    elif case == "choice of another question":
        answers[f"q-{first}"] = choice_ids(module, 1)[:1]
    elif case == "two choices on single":
        answers[f"q-{first}"] = choice_ids(module, 0) + choice_ids(module, 0, correct=False)
    elif case == "missing answer":
        del answers[f"q-{second}"]
    else:
        token = "khong-phai-uuid"
    before = QuizAttempt.objects.count()

    response = learner_client.post(module.url, {"token": token or str(uuid.uuid4()), **answers})

    assert response.status_code == 400
    assert 'class="message message--error"' in response.content.decode()
    assert QuizAttempt.objects.count() == before
    assert not Completion.objects.exists()


def test_a_resubmitted_form_is_not_a_second_attempt(learner_client, course):
    enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})
    token = uuid.uuid4()
    wrong = {f"q-{question_id(course['quiz_one'])}": choice_ids(course["quiz_one"], correct=False)}

    post_quiz(learner_client, course["quiz_one"], wrong, token)
    post_quiz(learner_client, course["quiz_one"], wrong, token)

    assert QuizAttempt.objects.count() == 1


def test_the_attempt_limit_holds(learner_client, course):
    enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})
    wrong = {f"q-{question_id(course['quiz_one'])}": choice_ids(course["quiz_one"], correct=False)}
    for _ in range(3):
        post_quiz(learner_client, course["quiz_one"], wrong)

    response = post_quiz(learner_client, course["quiz_one"], right_answers(course["quiz_one"]))

    assert response.status_code == 400
    assert QuizAttempt.objects.count() == 3 and not ModuleProgress.objects.filter(module=course["quiz_one"]).exists()


def test_a_learner_not_enrolled_cannot_submit(learner_client, course):
    response = learner_client.post(course["lesson"].url, {"mark_done": "1"})

    assert response.status_code == 400 and not ModuleProgress.objects.exists()


def test_a_module_under_another_course_is_not_found(learner_client, course):
    other = CoursePageFactory(parent=course["catalogue"], title="Khóa khác", slug="khoa-khac")

    assert learner_client.get(other.url + "khai-niem/").status_code == 404
    assert learner_client.get(course["course"].url + "khai-niem/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(client, course):
    response = client.get(course["lesson"].url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={course['lesson'].url}"


def test_the_catalogue_filters_and_shows_the_learners_progress(learner_client, course):
    enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})

    response = learner_client.get(course["catalogue"].url, {"area": 1})

    assert [c.percent for c in response.context["courses"]] == [33]
    assert list(learner_client.get(course["catalogue"].url, {"area": 3}).context["courses"]) == []
    assert learner_client.get(course["catalogue"].url, {"area": "abc"}).status_code == 200


def test_services_grade_on_the_server(course):
    module = course["quiz_two"].specific
    answers = {
        question_id(module, 0): set(choice_ids(module, 0)),
        question_id(module, 1): set(choice_ids(module, 1)[:1]),
    }

    result = services.grade(module, answers, pass_mark=50)

    assert result.score == 50 and result.passed


def build_big_course(course, modules=30, questions=50):
    from courses.blocks import stored_question

    quiz = [
        stored_question(f"Câu hỏi {n}", [("Đúng", True), ("Sai", False), ("Không rõ", False)]) for n in range(questions)
    ]
    quiz_module = QuizModuleFactory(parent=course, title="Mô-đun 0", slug="mo-dun-0", questions=quiz)
    lessons = [ModulePageFactory(parent=course, title=f"Mô-đun {n}", slug=f"mo-dun-{n}") for n in range(1, modules)]
    return [quiz_module, *lessons]


def test_a_module_page_and_a_quiz_submission_cost_the_same_queries_whatever_the_size(learner_client, course):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        UserFactory(email=f"nguoi.khac{n}@example.org")
    counts = []
    for modules, questions in ((3, 2), (30, 50)):
        big = CoursePageFactory(
            parent=course["catalogue"], title=f"Khóa {modules}", slug=f"khoa-{modules}", modules_in_order=False
        )
        quiz_module = build_big_course(big, modules, questions)[0]
        learner_client.post(big.url + "enrol/")
        learner_client.get(quiz_module.url)
        with CaptureQueriesContext(connection) as view:
            assert learner_client.get(quiz_module.url).status_code == 200
        with CaptureQueriesContext(connection) as submit:
            assert post_quiz(learner_client, quiz_module, right_answers(quiz_module)).status_code == 200
        counts.append((len(view), len(submit)))

    assert counts[0] == counts[1], counts
    # A passed quiz writes the attempt, the module's progress and the enrolment's figures (one UPDATE).
    assert counts[1][0] <= 13 and counts[1][1] <= 19, counts


def test_the_dashboard_continues_at_the_next_module(learner_client, course):
    enrolled(learner_client, course)
    learner_client.post(course["lesson"].url, {"mark_done": "1"})

    html = learner_client.get(reverse("dashboard")).content.decode()

    assert f'href="{course["quiz_one"].url}"' in html and 'value="33"' in html


def test_the_home_page_features_the_courses(client, course):
    html = client.get("/").content.decode()

    assert "Khóa học trực tuyến" in html and course["course"].title in html


def test_quiz_answers_sent_to_a_lesson_record_nothing(learner_client, course):
    enrolled(learner_client, course)

    response = post_quiz(learner_client, course["lesson"], {})

    assert response.status_code == 400
    assert "không có bài kiểm tra" in response.content.decode()
    assert not QuizAttempt.objects.exists() and not ModuleProgress.objects.exists()


def test_course_and_module_pages_carry_quick_exit_and_neutral_titles(learner_client, course):
    from tests.conftest import QUICK_EXIT_URL

    enrolled(learner_client, course)
    for page in (course["course"], course["lesson"]):
        html = learner_client.get(page.url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert f'<a class="quick-exit__button" href="{QUICK_EXIT_URL}"' in html
        assert page.title in html and page.title not in title  # shown on the page, not in the tab
    assert "Mô-đun 1/3" in re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_a_module_shows_its_content_warning_before_the_lesson(learner_client, course):
    enrolled(learner_client, course)
    lesson = course["lesson"].specific
    lesson.content_warning = "Mô-đun này mô tả các tình huống bạo lực."
    lesson.body = [("paragraph", "<p>Nội dung bài học.</p>")]
    lesson.save_revision().publish()

    html = learner_client.get(lesson.url).content.decode()

    warning = html.index("Mô-đun này mô tả các tình huống bạo lực.")
    assert warning < html.index('<details class="content-warning__gate">') < html.index("Nội dung bài học.")


def test_each_course_page_type_is_answered_by_its_view_in_a_preview_too(learner_client, course):
    """Wagtail's preview renders what a visitor gets: the catalogue's cards, the course's module
    list, the module's lesson, from the views registered on the page types."""
    from django.conf import settings
    from django.test import RequestFactory

    session = learner_client.cookies[settings.SESSION_COOKIE_NAME].value
    signed_in = RequestFactory().get("/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session}")
    previews = {
        name: course[name].specific.make_preview_request(original_request=signed_in).render()
        for name in ("catalogue", "course", "lesson")
    }

    assert previews["catalogue"].context_data["courses"] == [course["course"]]
    assert [m.pk for m in previews["course"].context_data["modules"]] == [
        course[name].pk for name in ("lesson", "quiz_one", "quiz_two")
    ]
    assert previews["lesson"].context_data["module_count"] == 3


def test_the_course_models_import_no_view_or_rule():
    """Records know nothing of views: views import services, which import the models."""
    import ast
    from pathlib import Path

    import courses.models

    for source in Path(courses.models.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(name.startswith(("courses.views", "courses.services")) for name in names), source
