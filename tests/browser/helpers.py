"""Steps the browser tests share."""


def sign_in(page, base_url, email, totp_secret=None, start="/accounts/login/"):
    """Sign in through allauth's pages as a person would; staff answer the TOTP step."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tests.accounts.factories import DEFAULT_PASSWORD

    page.goto(f"{base_url}{start}")
    page.get_by_label("E-mail:", exact=True).fill(email)
    page.get_by_label("Mật khẩu:", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    if totp_secret is not None:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Mã:", exact=True).fill(format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30)))
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
