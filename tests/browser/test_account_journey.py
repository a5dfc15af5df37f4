"""In Chromium: sign up, confirm the e-mail, log in and out, leave with the quick-exit control.

Every request the browser makes is recorded; none may leave the site's own origin except the
quick-exit target, which the test answers itself (the machine has no internet).
"""

import re
from urllib.parse import urlsplit

import pytest

from tests.accounts.factories import DEFAULT_PASSWORD
from tests.browser.helpers import fill_sign_up_form
from tests.conftest import QUICK_EXIT_URL

# serialized_rollback: the flush after a live-server test would drop the data migrations made
# (the page tree root, the roles) for the tests that follow.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEUTRAL_PAGE = "<!doctype html><title>Thời tiết</title><h1>Thời tiết hôm nay</h1>"


@pytest.fixture
def context(browser, live_server, home_page, unit_tree):
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    context.route(
        QUICK_EXIT_URL,
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE),
    )
    yield context
    context.close()


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_sign_up_confirm_log_in_log_out(context, live_server, mailoutbox):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    fill_sign_up_form(page, "mai.tran@example.org")

    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert len(mailoutbox) == 1
    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[0].body).group(1)

    page.goto(f"{live_server.url}{link}")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert page.locator(".account-menu summary").inner_text() == "Mai"

    log_out(page)
    assert page.get_by_role("link", name="Đăng nhập").is_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail:", exact=True).fill("MAI.TRAN@example.org")
    page.get_by_label("Mật khẩu:", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    assert page.locator(".account-menu summary").inner_text() == "Mai"

    log_out(page)
    assert_only_own_origin(context, live_server)


def log_out(page):
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("how", ["click", "escape", "shift three times"])
def test_quick_exit_leaves_and_back_does_not_return(context, live_server, how):
    page = context.new_page()  # a fresh tab: its history starts at about:blank
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("link", name="Thoát nhanh").is_visible()

    if how == "click":
        page.get_by_role("link", name="Thoát nhanh").click()
    elif how == "escape":
        page.keyboard.press("Escape")
    else:
        for _ in range(3):
            page.keyboard.press("Shift")

    page.wait_for_url(QUICK_EXIT_URL)
    assert page.get_by_role("heading").inner_text() == "Thời tiết hôm nay"
    page.go_back()
    assert not page.url.startswith(live_server.url)
    assert_only_own_origin(context, live_server)


def assert_only_own_origin(context, live_server):
    foreign = [url for url in context.requests if origin(url) != live_server.url and url != QUICK_EXIT_URL]
    assert foreign == []
