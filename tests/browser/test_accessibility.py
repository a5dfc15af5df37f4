"""In Chromium: every public page of the foundation passes axe-core (WCAG 2.1 A and AA), fits a
360 px wide phone without sideways scrolling, and keeps the quick-exit control in view."""

from pathlib import Path

import pytest

from tests.cms.factories import StandardPageFactory
from tests.cms.test_pages import every_block_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["/", "/bao-mat/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/khong-co-trang-nay/"]


@pytest.fixture
def page(browser, live_server, home_page, unit_tree):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it).")
    # bypass_csp lets the test inject axe; the site keeps its policy.
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [(violation["id"], violation["impact"], len(violation["nodes"])) for violation in result["violations"]]


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_pass_axe_and_fit_a_phone(page, live_server, path):
    page.goto(f"{live_server.url}{path}")

    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


PAGE_TYPES = ["home", "programme", "campaigns", "current", "articles", "article", "materials", "material", "help"]


def test_every_page_type_passes_axe_and_asks_nothing_of_another_origin(browser, live_server, site_tree):
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, bypass_csp=True)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    site_tree["blocks"] = StandardPageFactory(
        parent=site_tree["home"],
        title="Mọi khối nội dung",
        slug="moi-khoi",
        body=every_block_value(site_tree["image"], site_tree["document"], site_tree["programme"]),
    )
    page = context.new_page()
    for key in [*PAGE_TYPES, "blocks"]:
        page.goto(f"{live_server.url}{site_tree[key].url}")
        assert axe_violations(page) == [], key
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, key
    context.close()

    assert [url for url in requests if not url.startswith(live_server.url)] == []


def test_signup_errors_pass_axe_too(page, live_server):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_load_state()

    assert page.locator(".errorlist").count() >= 3
    assert axe_violations(page) == []


def test_the_quick_exit_stays_in_view_while_scrolling_and_is_reached_first_by_keyboard(page, live_server):
    page.goto(f"{live_server.url}/bao-mat/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.get_by_role("link", name="Thoát nhanh").bounding_box()
    assert box is not None and 0 <= box["y"] < 740

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Chuyển đến nội dung chính"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Thoát nhanh"


def test_a_learners_pages_pass_axe_signed_out_and_in_with_their_messages(page, live_server, course):
    """The course pages signed out; then, signed in, each page a learner meets with the message it
    shows (after signing in, after enrolling), the module, /my/ and their certificate's page."""
    from certificates.models import Certificate
    from tests.accounts.factories import UserFactory
    from tests.browser.helpers import sign_in
    from tests.courses.factories import complete_course

    checked = []

    def check(label):
        assert axe_violations(page) == [], label
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, label
        checked.append(label)

    course_url = f"{live_server.url}{course['course'].url}"
    for label, url in [("catalogue", course["catalogue"].url), ("course", course["course"].url)]:
        page.goto(f"{live_server.url}{url}")
        check(f"{label}, signed out")

    UserFactory(email="hoc.vien@example.org", full_name="Trần Thị Mai")
    sign_in(page, live_server.url, "hoc.vien@example.org", start=f"/accounts/login/?next={course['course'].url}")
    status = page.locator(".messages[role=status]")
    assert status.locator("li").count() >= 1  # "signed in as ..."
    check("course, just signed in (message)")

    page.get_by_role("button", name="Đăng ký khóa học").click()
    page.wait_for_load_state()
    assert page.url == course_url and "Bạn đã đăng ký" in status.inner_text()
    check("course, just enrolled (message)")

    page.goto(f"{live_server.url}{course['lesson'].url}")
    check("module")

    from accounts.models import User

    complete_course(User.objects.get(email="hoc.vien@example.org"), course)
    page.goto(f"{live_server.url}/my/")
    check("/my/ with a certificate")
    certificate = Certificate.objects.get(user__email="hoc.vien@example.org")
    page.goto(f"{live_server.url}{certificate.get_verification_path()}")
    check("certificate page")

    assert len(checked) == 7
