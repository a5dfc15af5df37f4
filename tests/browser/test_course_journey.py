"""In Chromium: a new learner enrols in the demo awareness course, fails a quiz once, passes it,
completes every module and sees 100% on /my/."""

from django.core.management import call_command

import pytest

from courses.demo_content import AWARENESS
from tests.accounts.factories import UserFactory
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def answer(page, questions, right):
    """Tick the correct choices, or a wrong answer: an incorrect choice, else only the first of several."""
    for text, _kind, choices, _explanation in questions:
        fieldset = page.locator("fieldset.question", has_text=text)
        correct = [choice for choice, is_correct in choices if is_correct]
        wrong = [choice for choice, is_correct in choices if not is_correct][:1] or correct[:1]
        for choice in correct if right else wrong:
            fieldset.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_load_state()


def test_a_new_learner_takes_the_awareness_course_to_the_end(browser, live_server):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    UserFactory(email="hoc.moi@example.org", full_name="Lê Văn Học")
    page = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}).new_page()

    sign_in(page, live_server.url, "hoc.moi@example.org")

    page.goto(f"{live_server.url}/courses/{AWARENESS['slug']}/")
    page.get_by_role("button", name="Đăng ký khóa học").click()
    page.get_by_role("link", name="Học tiếp").click()

    for number, (_slug, title, _lesson, questions) in enumerate(AWARENESS["modules"]):
        assert page.get_by_role("heading", level=1).inner_text() == title
        if number == 0:
            answer(page, questions, right=False)
            assert page.get_by_role("heading", name="Chưa đạt").is_visible()
        answer(page, questions, right=True)
        assert page.get_by_role("heading", name="Đạt", exact=True).is_visible()
        if number < len(AWARENESS["modules"]) - 1:
            page.get_by_role("link", name="Mô-đun tiếp theo").click()
            page.wait_for_load_state()

    page.goto(f"{live_server.url}/my/")
    completed = page.locator("section", has_text="Đã hoàn thành")
    assert AWARENESS["title"] in completed.inner_text()
    assert completed.locator("progress").get_attribute("value") == "100"


def test_course_and_module_pages_pass_axe(browser, live_server):
    from tests.browser.test_accessibility import axe_violations

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    UserFactory(email="hoc.axe@example.org")
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "hoc.axe@example.org")
    course_url = f"{live_server.url}/courses/{AWARENESS['slug']}/"
    page.goto(course_url)
    page.get_by_role("button", name="Đăng ký khóa học").click()
    for url in (
        f"{live_server.url}/courses/",
        course_url,
        f"{course_url}{AWARENESS['modules'][0][0]}/",
        f"{live_server.url}/my/",
    ):
        page.goto(url)
        assert axe_violations(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    context.close()
