"""The second factor guards everything staff-only; the first authenticator needs the mailbox.

A staff session reaches /admin/, the reports and their exports, the certificate ZIP and other
learners' certificate PDFs only once it has passed TOTP (accounts.mfa). Staff without an
authenticator get an e-mailed code at login before they may bind one; learners never enter.
"""

import re
import time

from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from audit.models import ExportLog
from certificates.models import Certificate
from tests.accounts.factories import DEFAULT_PASSWORD, ManagerScopeFactory, UserFactory
from tests.conftest import sign_in_past_second_factor
from tests.courses.factories import complete_course
from tests.url_catalogue import staff_routes

pytestmark = pytest.mark.django_db


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})


def sign_in_with_password_only(client, user):
    """A session as a stolen password would give if nothing asked for the second factor."""
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session, request.user = client.session, user
    record_authentication(request, user, "password", email=user.email)
    request.session.save()
    return client


def mailed_code():
    [message] = mail.outbox
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)


def activate_totp(client, django_capture_on_commit_callbacks):
    """Through allauth's page, as a person with an authenticator app would; the app's secret."""
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    # allauth tells the rest of the site (our record of the second factor) once the row is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.url == reverse("mfa_view_recovery_codes")
    return secret


# The first authenticator needs the mailbox.


@pytest.mark.parametrize("role", ["Editors", "Moderators", "Managers", "Administrators"])
def test_staff_without_totp_are_asked_for_an_emailed_code_at_login(client, home_page, role):
    staff = UserFactory(roles=[role])

    response = log_in(client, staff)

    assert response.url == reverse("account_confirm_login_code")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [staff.email]
    page = client.get(reverse("account_confirm_login_code")).content.decode()
    assert "Nhập mã đăng nhập" in page
    # The password alone signs nobody in: the admin and the authenticator page both want a login.
    assert client.get("/admin/").url.startswith(reverse("account_login"))
    assert client.get(reverse("mfa_activate_totp")).url.startswith(reverse("account_login"))


def test_the_first_sign_in_asks_the_password_once_then_sets_up_totp_and_opens_the_admin(
    client, home_page, django_capture_on_commit_callbacks
):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)

    response = client.post(reverse("account_confirm_login_code"), {"code": mailed_code()})
    assert response.url == "/admin/"  # staff sign in for the admin

    response = client.get("/admin/", follow=True)
    # Straight on to the authenticator: the password and the mailed code were just given.
    assert [url for url, _ in response.redirect_chain] == [reverse("mfa_activate_totp")]
    page = response.content.decode()
    assert "phải bật xác thực hai lớp" in page
    assert "quét mã QR này" in page and 'alt="Mã QR để quét bằng ứng dụng xác thực"' in page
    assert 'src="data:image/svg+xml;base64,' in page

    secret = activate_totp(client, django_capture_on_commit_callbacks)

    assert Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists()
    recovery_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert len(re.findall(r"\b\d{8}\b", recovery_page)) >= 10
    assert "Hãy cất giữ các mã này ở nơi an toàn" in recovery_page
    assert (
        '<a class="button button--primary" href="/admin/">Tôi đã cất giữ các mã: vào trang quản trị</a>'
        in recovery_page
    )
    assert client.get("/admin/").status_code == 200

    # From now on each login asks for the password and the TOTP code once, no mailed code, and opens the admin.
    client.post(reverse("account_logout"))
    mail.outbox.clear()
    assert log_in(client, editor).url == reverse("mfa_authenticate")
    assert mail.outbox == []
    assert client.get("/admin/").url.startswith(reverse("account_login"))
    cache.clear()  # allauth refuses a code twice; the activation used this window's code
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_later_changes_to_the_authenticator_still_ask_for_the_password(
    client, home_page, django_capture_on_commit_callbacks, monkeypatch
):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)
    client.post(reverse("account_confirm_login_code"), {"code": mailed_code()})
    activate_totp(client, django_capture_on_commit_callbacks)

    # Past allauth's own reauthentication window (which the activation's code opened): as any later day.
    later = time.time() + 16 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    for url in [reverse("mfa_deactivate_totp"), reverse("mfa_generate_recovery_codes")]:
        assert client.get(url).url.startswith(reverse("account_reauthenticate")), url


def test_the_first_authenticator_without_the_password_again_only_soon_after_sign_in(client, home_page, monkeypatch):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)
    client.post(reverse("account_confirm_login_code"), {"code": mailed_code()})
    later = time.time() + 16 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get(reverse("mfa_activate_totp")).url.startswith(reverse("account_reauthenticate"))


def test_a_wrong_mailed_code_signs_nobody_in(client, home_page):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)
    wrong = "AAAA-AAAA" if mailed_code() != "AAAA-AAAA" else "BBBB-BBBB"

    response = client.post(reverse("account_confirm_login_code"), {"code": wrong})

    assert response.status_code == 200 and response.context["form"].errors
    assert client.get("/admin/").url.startswith(reverse("account_login"))


def test_a_staff_session_begun_without_the_code_must_prove_the_mailbox_before_binding_totp(
    client, home_page, django_capture_on_commit_callbacks
):
    """Say a learner became an editor while signed in: their session never saw a mailed code."""
    editor = UserFactory(roles=["Editors"])
    sign_in_with_password_only(client, editor)

    assert client.get("/admin/").url.startswith(reverse("account_request_reauthentication_code"))
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_request_reauthentication_code"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    assert response.url.startswith(reverse("account_request_reauthentication_code"))
    assert not Authenticator.objects.filter(user=editor).exists()

    page = client.get(response.url).content.decode()
    assert "Gửi mã đến:" in page and "Recipient" not in page
    confirm = client.post(response.url, {"recipient": editor.email}).url  # "send me a code"
    assert client.post(confirm, {"code": mailed_code()}).url == reverse("mfa_activate_totp")
    activate_totp(client, django_capture_on_commit_callbacks)

    assert client.get("/admin/").status_code == 200


def test_a_wrong_totp_code_binds_nothing(client, home_page):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)
    client.post(reverse("account_confirm_login_code"), {"code": mailed_code()})
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Authenticator.objects.filter(user=editor).exists()
    assert client.get("/admin/").url == reverse("mfa_activate_totp")


def test_learners_log_in_with_their_password_alone(client, home_page):
    assert log_in(client, UserFactory()).url == "/"
    assert mail.outbox == []


# With a password only, every staff-only URL is refused.


@pytest.fixture
def manager_and_records(course, unit_tree, django_capture_on_commit_callbacks):
    """A ward manager with TOTP, and a certificate of a learner in the ward: theirs to see once past TOTP."""
    course["course"].certificate_validity_months = 24
    course["course"].save()
    learner = UserFactory(unit=unit_tree["HN-P-HK-CA"])
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    manager = ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user
    manager.totp_secret = generate_totp_secret()
    TOTP.activate(manager, manager.totp_secret)
    return manager, Certificate.objects.get(user=learner)


def staff_only_urls(certificate):
    """Every /admin/ route the resolver knows, and what lies outside it: another's PDF, ZIP, exports."""
    urls = [route.fill(lambda name, converter: "1") for route in staff_routes()]
    return urls + [
        f"/certificates/{certificate.serial_slug}.pdf",
        f"/admin/certificates/zip/?download=1&course={certificate.course_id}",
        "/admin/reports/completion-records/?export=csv",
        "/admin/reports/completion-records/?export=xlsx",
        "/admin/reports/unit-summary/?export=csv",
        "/admin/reports/unit-summary/?export=xlsx",
    ]


def test_a_password_only_staff_session_reaches_nothing_staff_only(client, manager_and_records):
    manager, certificate = manager_and_records
    sign_in_with_password_only(client, manager)
    reauthenticate = reverse("mfa_reauthenticate")

    for url in staff_only_urls(certificate):
        response = client.get(url)
        if url.startswith("/admin/"):
            assert response.status_code == 302 and response.url.startswith(reauthenticate), url
        else:
            assert response.status_code == 404, url  # as for a serial that does not exist
    assert not ExportLog.objects.exists()

    # The same session, once it gives the TOTP code, reaches them: the refusal was the second factor's.
    code = current_code(manager.totp_secret)
    response = client.post(reverse("mfa_reauthenticate") + "?next=/admin/", {"code": code})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/certificates/{certificate.serial_slug}.pdf").status_code == 200
    assert client.get("/admin/reports/completion-records/", {"export": "csv"}).status_code == 200


def test_a_password_login_that_stops_before_the_totp_code_reaches_nothing_staff_only(client, manager_and_records):
    manager, certificate = manager_and_records
    assert log_in(client, manager).url == reverse("mfa_authenticate")
    anonymous = Client()

    for url in staff_only_urls(certificate):
        response, stranger = client.get(url), anonymous.get(url)
        # Nothing more than a visitor who never typed the password gets (a login link, a 404).
        assert response.status_code == stranger.status_code, url
        assert response.get("Location") == stranger.get("Location"), url
    assert client.get("/admin/").url.startswith(reverse("account_login"))


def test_a_staff_session_past_the_second_factor_downloads_the_pdf_of_a_learner_in_scope(client, manager_and_records):
    manager, certificate = manager_and_records
    sign_in_past_second_factor(client, manager)

    response = client.get(f"/certificates/{certificate.serial_slug}.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_holder_downloads_their_own_pdf_with_a_password_alone(client, manager_and_records):
    _, certificate = manager_and_records
    client.force_login(certificate.user)

    assert client.get(f"/certificates/{certificate.serial_slug}.pdf").status_code == 200


def test_a_superuser_without_totp_is_also_stopped(client, home_page):
    log_in(client, UserFactory(is_superuser=True))

    assert client.get("/admin/pages/").url.startswith(reverse("account_login"))
    assert client.post(reverse("account_confirm_login_code"), {"code": mailed_code()}).status_code == 302
    assert client.get("/admin/pages/").url == reverse("mfa_activate_totp")


def test_the_admin_login_page_is_allauths(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/"


def test_a_learner_never_enters_the_admin(client, home_page):
    log_in(client, UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 403
    assert "Tài khoản của bạn không có quyền vào trang này." in response.content.decode()
