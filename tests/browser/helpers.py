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


def wait_for_short_animations(page):
    """A message still fading in is read at part opacity, so its contrast looks too low to axe:
    let short animations and transitions end first (not endless or slow ones, such as the
    admin's, which run for about 25 s after a resize)."""
    page.wait_for_function(
        "() => document.getAnimations().every(animation => animation.playState !== 'running'"
        " || animation.effect.getComputedTiming().endTime > 3000)"
    )


def serious_axe_findings_at_phone_and_desktop(page):
    """axe-core (WCAG 2.1 A and AA) on the page as it stands, at 360 px and at desktop width:
    the serious and critical findings, as (width, rule, impact, the nodes' selectors). The page's context must be
    opened with bypass_csp=True to let the script in (the site keeps its policy)."""
    from pathlib import Path

    axe = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    findings, size = [], page.viewport_size
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        wait_for_short_animations(page)
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(axe))
        result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
        findings += [
            (width, violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
            for violation in result["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
    page.set_viewport_size(size)
    return findings


def fill_sign_up_form(page, email):
    """Fill in and send the sign-up form as a new official would, on the page already open."""
    from tests.accounts.factories import DEFAULT_PASSWORD

    page.get_by_label("E-mail:", exact=True).fill(email)
    page.get_by_label("Mật khẩu:", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label("Mật khẩu (nhập lại):", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label("Họ và tên:", exact=True).fill("Trần Thị Mai")
    page.get_by_label("Đơn vị công tác:", exact=True).fill("Trạm Y tế phường Hoàn Kiếm – Phường Hoàn Kiếm")
    page.get_by_label("Chức vụ:", exact=True).fill("Y sĩ")
    page.get_by_label("Đối tượng:", exact=True).select_option("staff")
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
