"""Vietnamese first, English second; rate limits; the quick-exit control on public pages."""

import datetime
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

import pytest

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.conftest import QUICK_EXIT_URL

ROOT = Path(__file__).resolve().parents[2]


def test_vietnamese_is_the_default_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_dates_in_prose_read_as_vietnamese_writes_them():
    day = datetime.date(2026, 3, 5)
    with translation.override("vi"):
        assert formats.date_format(day) == "ngày 5 tháng 3 năm 2026"
        assert Template("{{ day|date }}").render(Context({"day": day})) == "ngày 5 tháng 3 năm 2026"
    with translation.override("en"):
        assert formats.date_format(day) == "5 March 2026"


@pytest.mark.parametrize("catalogue", ["locale/vi/LC_MESSAGES/django.po", "vendor_locale/vi/LC_MESSAGES/django.po"])
def test_every_vietnamese_message_is_translated_and_compiled(catalogue):
    path = ROOT / catalogue
    statistics = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", path], capture_output=True, text=True
    )
    assert statistics.returncode == 0, statistics.stderr
    assert "untranslated" not in statistics.stderr and "fuzzy" not in statistics.stderr, statistics.stderr
    compiled = path.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= path.stat().st_mtime


@pytest.mark.django_db
def test_public_pages_are_vietnamese_and_english_on_request(client, home_page):
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html and "Thoát nhanh" in html and "Đăng nhập" in html

    response = client.get(reverse("choose_language"), {"language": "en", "next": "/"})
    assert response.url == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Quick exit" in html and "Log in" in html


@pytest.mark.django_db
def test_the_language_switch_refuses_other_sites_and_unknown_languages(client, home_page):
    response = client.get(reverse("choose_language"), {"language": "xx", "next": "https://evil.example.com/"})

    assert response.status_code == 302 and response.url == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/bao-mat/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_every_public_page_has_the_quick_exit_control(client, home_page, path):
    html = client.get(path).content.decode()

    assert f'data-quick-exit-target="{QUICK_EXIT_URL}"' in html
    assert f'<a class="quick-exit__button" href="{QUICK_EXIT_URL}"' in html
    assert '<script src="/static/js/quick-exit.js" defer></script>' in html
    # Nothing the browser would fetch by itself (scripts, styles, images, frames) points elsewhere.
    fetched = re.findall(r'\ssrc="([^"]*)"', html) + re.findall(r'<link[^>]*\shref="([^"]*)"', html)
    assert fetched and all(url.startswith("/") and not url.startswith("//") for url in fetched), fetched


def test_the_quick_exit_script_leaves_with_location_replace():
    script = (ROOT / "static/js/quick-exit.js").read_text()

    assert "window.location.replace(url)" in script
    assert "location.href" not in script and "location.assign" not in script


@pytest.mark.django_db
def test_repeated_failed_logins_get_a_clear_message_not_an_error(client, home_page):
    user = UserFactory()
    responses = [
        client.post(reverse("account_login"), {"login": user.email, "password": "sai-mat-khau"}) for _ in range(7)
    ]

    assert all(response.status_code == 200 for response in responses)
    assert "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau." in responses[-1].content.decode()
    # Even the right password waits until the limit passes.
    blocked = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 200
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_repeated_password_reset_requests_are_limited_with_a_clear_page(client, home_page):
    user = UserFactory()
    statuses = [client.post(reverse("account_reset_password"), {"email": user.email}).status_code for _ in range(7)]

    assert statuses[0] == 302
    assert 429 in statuses and 500 not in statuses
    limited = client.post(reverse("account_reset_password"), {"email": user.email})
    assert limited.status_code == 429
    assert "Bạn đã thử quá nhiều lần trong thời gian ngắn." in limited.content.decode()


@pytest.mark.django_db
def test_repeated_signups_from_one_address_are_limited(client, home_page, unit_tree, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "20/10m/ip"}  # configured: a room's worth
    statuses = [
        client.post(
            "/accounts/signup/",
            {
                "email": f"moi{n}@example.org",
                "password1": DEFAULT_PASSWORD,
                "password2": DEFAULT_PASSWORD,
                "full_name": "Người Mới",
                "unit": "HN-P-HK-TYT",
                "staff_category": "staff",
                "consent": "on",
            },
        ).status_code
        for n in range(22)
    ]

    assert statuses[:20] == [302] * 20
    assert statuses[20:] == [429, 429]


@pytest.mark.django_db
def test_resending_the_confirmation_mail_is_limited(client, home_page):
    from django.core import mail

    from allauth.account.models import EmailAddress

    user = UserFactory(verified_email=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)

    for _ in range(3):
        response = client.post(reverse("account_email"), {"action_send": "", "email": user.email}, follow=True)
        assert response.status_code == 200

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_english_browser_still_gets_vietnamese_until_english_is_chosen(client, home_page):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get("/").content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="vi">' in client.get("/").content.decode()
