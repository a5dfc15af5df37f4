"""In Chromium, at 360 px and at desktop width: a new learner signs up on the way to a course,
confirms the e-mail, fails a quiz and reads why in words with the answers kept, passes, reaches the
finish line and opens the certificate (issue 16, items 1-3). Every page is scanned with axe-core.

One test, two browser contexts on the same data: the budget is about 90 seconds for both widths.
"""

import re

import pytest

from tests.browser.helpers import fill_sign_up_form
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def assert_accessible(page, width, where):
    serious = [finding for finding in axe_violations(page) if finding[1] in ("serious", "critical")]
    assert serious == [], (where, serious)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, where


def sign_up(page, base_url, mailoutbox, email, course_path):
    page.goto(f"{base_url}/accounts/signup/?next={course_path}")
    fill_sign_up_form(page, email)
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    mail = next(message for message in mailoutbox if email in message.to)
    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+)", mail.body).group(1)
    page.goto(f"{base_url}{link}")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    if not page.url.endswith(course_path):
        # Returning to ?next after the confirmation is issue 16 item 5 (another change); until it
        # lands, the learner follows the course's link again.
        page.goto(f"{base_url}{course_path}")


def submit(page):
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_load_state()


def take_the_course(context, base_url, mailoutbox, email, width, course):
    page = context.new_page()
    course_path = course["course"].url
    sign_up(page, base_url, mailoutbox, email, course_path)

    # Know before you start: what the course asks and gives.
    facts = page.locator("dl.facts").inner_text()
    for fact in ("Thời lượng", "Số mô-đun", "Điểm đạt", "Số lần làm bài kiểm tra", "Giấy chứng nhận"):
        assert fact in facts
    page.get_by_role("button", name="Đăng ký khóa học").click()
    page.wait_for_load_state()
    page.reload()  # scanned without the one-time "enrolled" message (its list is another item of issue 16)
    assert_accessible(page, width, "course page")
    page.get_by_role("link", name="Học tiếp").click()
    page.get_by_role("button", name="Đánh dấu đã học xong").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Mô-đun tiếp theo").click()
    page.wait_for_load_state()

    # A failed attempt: the verdict in words, the choice kept, each choice a comfortable row.
    wrong = page.get_by_label("Đúng", exact=True)
    row = page.locator("label.choice", has_text="Sai").bounding_box()
    assert row["height"] >= 44 and row["width"] >= min(width - 80, 200)
    page.locator("label.choice", has_text="Đúng").click(position={"x": row["width"] - 10, "y": 10})  # the row's far end
    assert wrong.is_checked()
    submit(page)
    assert page.get_by_role("heading", name="Chưa đạt").is_visible()
    assert page.locator("fieldset.question").get_by_text("Bạn trả lời chưa đúng").is_visible()
    assert page.get_by_label("Đúng", exact=True).is_checked()
    assert page.get_by_text("Đáp án đúng").count() == 0  # two attempts left: not given away
    assert_accessible(page, width, "quiz after a failed attempt")

    page.get_by_label("Sai", exact=True).check()
    submit(page)
    assert page.get_by_role("heading", name="Đạt", exact=True).is_visible()
    why = page.locator(".quiz-review__why").inner_text()
    assert "Đáp án đúng:" in why and "“Sai”" in why and "Còn nhiều hình thức khác." in why
    assert_accessible(page, width, "quiz passed")
    page.get_by_role("link", name="Mô-đun tiếp theo").click()
    page.wait_for_load_state()

    # The last module: the finish line and the certificate.
    page.get_by_label("111", exact=True).check()
    page.get_by_label("Đánh đập", exact=True).check()
    page.get_by_label("Kiểm soát tiền", exact=True).check()
    submit(page)
    finish = page.locator("section.finish-line")
    assert finish.get_by_role("heading", name="Đã hoàn thành khóa học").is_visible()
    certificate = finish.get_by_role("link", name="Tải giấy chứng nhận (PDF)")
    assert certificate.is_visible()
    assert_accessible(page, width, "finish line")
    response = context.request.get(base_url + certificate.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    finish_url = page.url
    page.get_by_role("link", name="Học tập của tôi").first.click()
    page.wait_for_load_state()
    assert course["course"].title in page.locator("section", has_text="Giấy chứng nhận của tôi").inner_text()
    assert_accessible(page, width, "/my/")
    return page, finish_url


def the_note_turns_into_the_link_without_a_reload(page, finish_url, email):
    """The PDF still rendering: the finish line says so, and shows the link once the status says ready."""
    from certificates.models import Certificate

    certificate = Certificate.objects.get(user__email=email)
    pdf_url = certificate.get_absolute_url()
    Certificate.objects.filter(pk=certificate.pk).update(pdf="")  # no request in flight: the page has loaded
    asked = []

    def status(route):
        asked.append(route.request.url)
        if len(asked) == 1:
            route.continue_()  # the server's own answer: not ready
        else:
            route.fulfill(json={"serial": certificate.serial, "state": "valid", "ready": True, "url": pdf_url})

    page.route("**/status/", status)
    page.goto(finish_url)
    note = page.locator(".finish-line .certificate-status")
    assert f"Giấy chứng nhận số {certificate.serial} đang được chuẩn bị." in note.inner_text()
    page.evaluate("window.stillTheSamePage = true")
    note.get_by_role("link", name="Tải giấy chứng nhận (PDF)").wait_for(timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True and len(asked) == 2


def test_a_new_learner_signs_up_fails_then_passes_and_reaches_the_certificate(
    browser, live_server, home_page, unit_tree, course, mailoutbox, settings
):
    settings.WAGTAILADMIN_BASE_URL = live_server.url  # the address printed in the certificate
    for name, viewport in VIEWPORTS.items():
        # bypass_csp lets the test inject axe-core; the site keeps its policy.
        context = browser.new_context(locale="vi-VN", viewport=viewport, bypass_csp=True)
        email = f"mai.{name}@example.org"
        try:
            page, finish_url = take_the_course(context, live_server.url, mailoutbox, email, viewport["width"], course)
            if name == "phone":  # once is enough: the script does not depend on the width
                the_note_turns_into_the_link_without_a_reload(page, finish_url, email)
        finally:
            context.close()
