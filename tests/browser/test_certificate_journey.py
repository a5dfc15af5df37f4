"""In Chromium: a learner completes the demo awareness course, downloads the certificate from /my/,
opens the verification address printed in it, and sees it valid."""

import io
import re

from django.core.management import call_command

import pytest
from pypdf import PdfReader

from courses.demo_content import AWARENESS
from tests.accounts.factories import UserFactory
from tests.browser.helpers import sign_in
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_course_journey import answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_learner_downloads_the_certificate_and_verifies_it(browser, live_server, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url  # the address printed in the PDF and its QR code
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    UserFactory(email="chung.nhan@example.org", full_name="Đặng Thị Thu Hà")
    # bypass_csp lets the test inject axe-core; the site keeps its policy.
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "chung.nhan@example.org")

    page.goto(f"{live_server.url}/courses/{AWARENESS['slug']}/")
    page.get_by_role("button", name="Đăng ký khóa học").click()
    page.get_by_role("link", name="Học tiếp").click()
    for number, (_slug, _title, _lesson, questions) in enumerate(AWARENESS["modules"]):
        answer(page, questions, right=True)
        if number < len(AWARENESS["modules"]) - 1:
            page.get_by_role("link", name="Mô-đun tiếp theo").click()
            page.wait_for_load_state()

    page.goto(f"{live_server.url}/my/")
    certificates = page.locator("section", has_text="Giấy chứng nhận của tôi")
    assert AWARENESS["title"] in certificates.inner_text()
    download_link = certificates.get_by_role("link", name="Tải PDF")
    response = context.request.get(live_server.url + download_link.get_attribute("href"))  # signed in, as the page
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert "Đặng Thị Thu Hà" in text
    verify_url = re.search(r"(http://\S+/verify/[0-9A-Z]{16}/)", text.replace("\n", "")).group(1)

    page.goto(verify_url)
    assert page.get_by_text("Giấy chứng nhận này còn hiệu lực.").is_visible()
    assert page.get_by_text("Đặng Thị Thu Hà").is_visible()

    # The pages of this journey are usable by everyone, on a phone.
    for url in (verify_url, f"{live_server.url}/my/", f"{live_server.url}/verify/?code=KHONG-CO-MA"):
        page.goto(url)
        assert axe_violations(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
