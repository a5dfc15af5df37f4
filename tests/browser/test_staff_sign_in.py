"""In Chromium, at a phone's width and a desk's: a staff member signs in for the first time
(password, the mailed code, the authenticator set up from a QR code, the recovery codes, the admin),
then on a later day (password, the app's code, the admin). The password is asked once each time,
and every page passes axe-core (WCAG 2.1 A and AA)."""

import re
import time

from django.core.cache import cache

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.helpers import wait_for_short_animations
from tests.browser.test_accessibility import AXE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def app_code(secret):
    """What the authenticator app shows now (RFC 6238, allauth's own helper)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def mailed_code(mailoutbox):
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[-1].body, re.MULTILINE).group(1)


def passes_axe_and_fits(page, width):
    wait_for_short_animations(page)
    assert axe_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def enter_password(page, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    passes_axe_and_fits(page, page.viewport_size["width"])
    page.get_by_label("E-mail:", exact=True).fill(email)
    page.get_by_label("Mật khẩu:", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.mark.parametrize("device", WIDTHS)
def test_a_staff_member_signs_in_the_first_time_and_later_with_one_password_each_time(
    browser, live_server, home_page, unit_tree, mailoutbox, device
):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it).")
    email = f"bien.tap.{device}@example.org"
    UserFactory(email=email, full_name="Lê Văn Biên", roles=["Editors"])
    viewport = WIDTHS[device]
    passwords_asked_again = []

    def note_reauthentication(request):
        if "/reauthenticate/" in request.url:
            passwords_asked_again.append(request.url)

    def sign_in_session():
        context = browser.new_context(locale="vi-VN", viewport=viewport, bypass_csp=True)
        context.on("request", note_reauthentication)
        return context, context.new_page()

    # The first time.
    context, page = sign_in_session()
    enter_password(page, live_server.url, email)
    page.wait_for_url("**/accounts/login/code/confirm/")
    assert page.get_by_role("heading", level=1).inner_text() == "Nhập mã đăng nhập"
    passes_axe_and_fits(page, viewport["width"])
    page.locator("input[name=code]").fill(mailed_code(mailoutbox))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kích hoạt ứng dụng xác thực"
    assert page.get_by_text("dùng camera điện thoại quét mã QR này").is_visible()
    assert page.get_by_role("img", name="Mã QR để quét bằng ứng dụng xác thực").is_visible()
    passes_axe_and_fits(page, viewport["width"])
    secret = page.get_by_label("Khóa bí mật của ứng dụng xác thực").input_value()
    page.get_by_label("Mã xác thực:", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Kích hoạt").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert page.get_by_text("Hãy cất giữ các mã này ở nơi an toàn").is_visible()
    assert len(re.findall(r"\b\d{8}\b", page.get_by_label("Mã chưa sử dụng").input_value())) == 10
    passes_axe_and_fits(page, viewport["width"])
    page.get_by_role("link", name="Tôi đã cất giữ các mã: vào trang quản trị").click()

    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    passes_axe_and_fits(page, viewport["width"])
    context.close()

    # A later day: password, the app's code, the admin. (allauth refuses a code twice; the
    # activation used this 30-second window's code, and the cache remembers it.)
    cache.clear()
    context, page = sign_in_session()
    enter_password(page, live_server.url, email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    passes_axe_and_fits(page, viewport["width"])
    page.get_by_label("Mã:", exact=True).fill(app_code(secret))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url(f"{live_server.url}/admin/")
    passes_axe_and_fits(page, viewport["width"])
    context.close()

    assert passwords_asked_again == []
    assert len(mailoutbox) == 1  # the mailed code only the first time
