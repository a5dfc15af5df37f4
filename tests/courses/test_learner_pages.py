"""What a learner reads on the course pages (issue 16, items 1-3): quiz feedback in words that keeps
their answers and reveals the right ones only after a pass or the last attempt, the finish line with
the certificate, and what a course asks and gives before enrolling."""

import re
import uuid
from html.parser import HTMLParser

import pytest

from courses import services
from courses.models import Enrolment
from tests.accounts.factories import UserFactory
from tests.cms.factories import MaterialsIndexPageFactory
from tests.courses.factories import CoursePageFactory, ModulePageFactory, QuizModuleFactory, yes_no_question

pytestmark = pytest.mark.django_db

RIGHT, NOT_RIGHT = "Bạn trả lời đúng", "Bạn trả lời chưa đúng"


class FormReader(HTMLParser):
    """The quiz form's choices as the browser sees them: (value, checked, inside a label)."""

    def __init__(self, html):
        super().__init__()
        self.labels, self.choices, self.selects, self.select = 0, [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.labels += 1
        elif tag == "input" and attrs.get("type") in ("radio", "checkbox") and attrs.get("name", "").startswith("q-"):
            self.choices.append((attrs["value"], "checked" in attrs, self.labels > 0))
        elif tag == "select":
            self.select = []
            self.selects.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.append("")

    def handle_endtag(self, tag):
        if tag == "label":
            self.labels -= 1
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.select:
            self.select[-1] += data.strip()


def choices_of(module, question=0):
    return {c.value["text"]: c.id for c in list(module.specific.quiz)[question].value["choices"].bound_blocks}


def question_ids(module):
    return [question.id for question in module.specific.quiz]


def submit(client, module, answers):
    """answers: one list of choice texts per question, in order."""
    data = {"token": str(uuid.uuid4())}
    for index, (question_id, texts) in enumerate(zip(question_ids(module), answers, strict=True)):
        data[f"q-{question_id}"] = [choices_of(module, index)[text] for text in texts]
    return client.post(module.url, data)


@pytest.fixture
def learner(client, course):
    user = UserFactory(full_name="Trần Thị Mai", unit=None)
    client.force_login(user)
    client.post(course["course"].url + "enrol/")
    client.post(course["lesson"].url, {"mark_done": "1"})
    client.user = user
    return client


# Item 1: quiz feedback ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limit, used, passed, revealed",
    [(None, 7, False, False), (None, 1, True, True), (3, 2, False, False), (3, 3, False, True), (1, 1, True, True)],
)
def test_answers_are_revealed_after_a_pass_or_the_last_allowed_attempt(limit, used, passed, revealed):
    assert services.answers_revealed(type("Module", (), {"attempt_limit": limit})(), passed, used) is revealed


def test_a_failed_attempt_says_in_words_which_questions_were_right_and_keeps_the_answers(learner, course):
    submit(learner, course["quiz_one"], [["Sai"]])

    response = submit(learner, course["quiz_two"], [["111"], ["Đánh đập"]])

    html = response.content.decode()
    assert response.status_code == 200 and "Chưa đạt" in html
    assert html.count(RIGHT) == 1 and html.count(NOT_RIGHT) == 1
    assert "Đúng 1 trên 2 câu hỏi." in html
    # The icon is decoration beside the words, never the only signal.
    assert re.search(r'<svg class="verdict__icon" aria-hidden="true" focusable="false"', html)
    # Which choice is right is not given away while attempts remain.
    assert "Đáp án đúng" not in html
    form = FormReader(html)
    chosen = {choices_of(course["quiz_two"], 0)["111"], choices_of(course["quiz_two"], 1)["Đánh đập"]}
    assert {value for value, checked, _ in form.choices if checked} == chosen
    assert all(in_label for _, _, in_label in form.choices)  # each choice one clickable row


def test_a_pass_names_the_right_choice_before_the_explanation(learner, course):
    response = submit(learner, course["quiz_one"], [["Sai"]])

    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "Đạt" in text and RIGHT in text
    assert re.search(r"Đáp án đúng:\s*“Sai”.\s*Còn nhiều hình thức khác.", text)
    assert "Sai (đáp án đúng) (bạn đã chọn)" in text


def test_the_last_allowed_attempt_reveals_the_right_choice_and_why(learner, course):
    for _ in range(2):
        first = submit(learner, course["quiz_one"], [["Đúng"]])
        assert "Đáp án đúng" not in first.content.decode() and "Còn nhiều hình thức khác." not in first.content.decode()

    last = submit(learner, course["quiz_one"], [["Đúng"]])

    text = re.sub(r"<[^>]+>", "", last.content.decode())
    assert "Bạn đã dùng hết số lần làm bài kiểm tra này." in text and NOT_RIGHT in text
    assert re.search(r"Đáp án đúng:\s*“Sai”.\s*Còn nhiều hình thức khác.", text)
    assert "Đúng (bạn đã chọn)" in text
    assert FormReader(last.content.decode()).choices == []  # no form: every attempt used


def test_the_feedback_of_a_multiple_choice_question_lists_every_right_choice(course):
    module = course["quiz_two"].specific
    attempt = type("Attempt", (), {"answers": {question_ids(module)[1]: [choices_of(module, 1)["Đánh đập"]]}})()

    feedback = services.quiz_feedback(module, attempt, services.Grade(0, True, set()), attempts_used=1)

    assert feedback.revealed and [question.right for question in feedback.questions] == [False, False]
    second = feedback.questions[1]
    assert [c.text for c in second.correct_choices] == ["Đánh đập", "Kiểm soát tiền"]
    assert [c.text for c in second.choices if c.chosen] == ["Đánh đập"]
    assert feedback.chosen_ids == {choices_of(module, 1)["Đánh đập"]}


# Item 2: the finish line -----------------------------------------------------------------------


def test_the_last_module_shows_the_finish_line_then_the_certificate_link(
    learner, course, django_capture_on_commit_callbacks
):
    submit(learner, course["quiz_one"], [["Sai"]])
    with django_capture_on_commit_callbacks(execute=True):
        landed = submit(learner, course["quiz_two"], [["111"], ["Đánh đập", "Kiểm soát tiền"]])

    html = landed.content.decode()
    assert (
        "Đã hoàn thành khóa học" in html and "Bạn đã hoàn thành khóa học “Hiểu đúng về bạo lực trên cơ sở giới”" in html
    )
    certificate = learner.user.certificates.get()
    again = learner.get(course["quiz_two"].url).content.decode()
    assert "Đã hoàn thành khóa học" in again
    assert f'href="/certificates/{certificate.serial_slug}.pdf">Tải giấy chứng nhận (PDF)' in again
    assert "certificate-status.js" not in again  # nothing to wait for
    course_page = learner.get(course["course"].url).content.decode()
    assert "Đã hoàn thành khóa học" in course_page and "Tải giấy chứng nhận (PDF)" in course_page
    assert certificate.serial in learner.get("/my/").content.decode()


def test_a_certificate_still_rendering_is_announced_and_watched_without_a_reload(
    learner, course, django_capture_on_commit_callbacks
):
    submit(learner, course["quiz_one"], [["Sai"]])
    with django_capture_on_commit_callbacks(execute=True):
        submit(learner, course["quiz_two"], [["111"], ["Đánh đập", "Kiểm soát tiền"]])
    certificate = learner.user.certificates.get()
    type(certificate).objects.filter(pk=certificate.pk).update(pdf="", pdf_sha256="")

    html = learner.get(course["quiz_two"].url).content.decode()

    assert f"Giấy chứng nhận số {certificate.serial} đang được chuẩn bị." in html
    assert f'data-certificate-status="/certificates/{certificate.serial_slug}/status/"' in html
    assert "js/certificate-status.js" in html
    # Without the script, the note still leads to the certificate (its page says when it is ready).
    assert f'href="/certificates/{certificate.serial_slug}.pdf">Mở giấy chứng nhận' in html


def test_a_course_without_certificates_finishes_without_a_certificate_note(client, course):
    course["course"].issues_certificate = False
    course["course"].save()
    user = UserFactory(unit=None)
    client.force_login(user)
    client.post(course["course"].url + "enrol/")
    client.post(course["lesson"].url, {"mark_done": "1"})
    submit(client, course["quiz_one"], [["Sai"]])

    html = submit(client, course["quiz_two"], [["111"], ["Đánh đập", "Kiểm soát tiền"]]).content.decode()

    assert (
        "Đã hoàn thành khóa học" in html
        and "giấy chứng nhận" not in html.split("finish-line")[1].split("</section>")[0].lower()
    )
    assert Enrolment.objects.get(user=user).completed_at is not None


# Item 3: know before you start -----------------------------------------------------------------


def facts_text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'<dl class="facts">.*?</dl>', html, re.S).group(0)))


def test_the_catalogue_and_the_course_page_say_what_a_course_asks_and_gives(client, course):
    course["course"].certificate_validity_months = 24
    course["course"].save()

    for url in (course["catalogue"].url, course["course"].url):
        facts = facts_text(client.get(url).content.decode())
        assert "Thời lượng 2 giờ" in facts, facts
        assert "Số mô-đun 3" in facts
        assert "Điểm đạt 100%" in facts
        assert "Số lần làm bài kiểm tra có bài chỉ được làm tối đa 3 lần" in facts
        assert "Giấy chứng nhận có, hiệu lực 24 tháng" in facts


@pytest.mark.parametrize(
    "limits, reads",
    [
        ((), "không có bài kiểm tra"),
        ((None, None), "không giới hạn"),
        ((2, 2), "tối đa 2 lần mỗi bài"),
        ((2, None), "có bài chỉ được làm tối đa 2 lần"),
    ],
)
def test_the_attempt_rule_reads_from_the_quizzes_of_the_course(client, course, limits, reads):
    other = CoursePageFactory(parent=course["catalogue"], issues_certificate=False)
    ModulePageFactory(parent=other)
    for limit in limits:
        QuizModuleFactory(parent=other, questions=[yes_no_question()], attempt_limit=limit)

    facts = facts_text(client.get(other.url).content.decode())

    assert f"Số lần làm bài kiểm tra {reads}" in facts and "Giấy chứng nhận không" in facts
    assert f"Số mô-đun {len(limits) + 1}" in facts


def test_course_facts_for_the_whole_catalogue_take_one_query(course, django_assert_num_queries):
    courses = [course["course"], *(CoursePageFactory(parent=course["catalogue"]) for _ in range(3))]
    with django_assert_num_queries(1):
        facts = services.course_facts(courses)
    assert [facts[c.pk].module_count for c in courses] == [3, 0, 0, 0]


def test_each_filter_lists_each_choice_once(client, course, home_page):
    materials = MaterialsIndexPageFactory(parent=home_page)
    for url in (course["catalogue"].url, materials.url):
        selects = FormReader(client.get(url).content.decode()).selects
        assert selects, url
        for options in selects:
            assert len(options) == len(set(options)), (url, options)
    catalogue = client.get(course["catalogue"].url).content.decode()
    assert "Tất cả đối tượng" in catalogue and catalogue.count(">Mọi người<") == 1
