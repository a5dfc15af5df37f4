"""In Chromium: a staff member signs in with a TOTP code and works in the Wagtail admin.

The admin must run under the site's Content-Security-Policy without a violation and ask
nothing of another origin (no Gravatar, no CDN).
"""

import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_sign_in_with_totp_and_the_admin_runs_within_the_policy(browser, live_server, home_page, unit_tree):
    administrator = UserFactory(email="quan.tri@example.org", roles=["Administrators"])
    secret = generate_totp_secret()
    TOTP.activate(administrator, secret)

    context = browser.new_context(locale="vi-VN")
    requests, problems = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/admin/")
    assert "/accounts/login/" in page.url
    page.get_by_label("E-mail:", exact=True).fill("quan.tri@example.org")
    page.get_by_label("Mật khẩu:", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Mã:", exact=True).fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/admin/")

    for path in [
        "/admin/",
        f"/admin/pages/{home_page.pk}/edit/",
        "/admin/units/",
        "/admin/units/new/",
        "/admin/users/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("body").get_attribute("class") and "wagtail" in page.content().lower()

    context.close()
    assert [text for text in problems if "Content Security Policy" in text] == []
    foreign = [url for url in requests if f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" != live_server.url]
    assert foreign == []
