"""Staff set up TOTP two-factor authentication before /admin/ lets them in; learners never get in."""

import re
import time

from django.core.cache import cache
from django.urls import reverse

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})


@pytest.mark.parametrize("role", ["Editors", "Moderators", "Managers", "Administrators"])
def test_staff_without_totp_are_sent_to_set_it_up(client, home_page, role):
    log_in(client, UserFactory(roles=[role]))

    response = client.get("/admin/", follow=True)

    # allauth asks for the password again before an authenticator may be added.
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "phải bật xác thực hai lớp" in response.content.decode()


def test_a_superuser_without_totp_is_also_stopped(client, home_page):
    log_in(client, UserFactory(is_superuser=True))

    assert client.get("/admin/pages/").url == reverse("mfa_activate_totp")


def test_staff_set_up_totp_then_enter_the_admin_and_must_give_a_code_at_each_login(client, home_page):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    activation = client.get(reverse("mfa_activate_totp"))
    secret = activation.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists()
    recovery_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert len(re.findall(r"\b\d{8}\b", recovery_page)) >= 10

    assert client.get("/admin/").status_code == 200

    client.post(reverse("account_logout"))
    response = log_in(client, editor)
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/admin/").url.startswith(reverse("account_login"))

    cache.clear()  # allauth refuses a code twice; the activation used this window's code
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_wrong_totp_code_is_refused_with_a_message(client, home_page):
    editor = UserFactory(roles=["Editors"])
    log_in(client, editor)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Authenticator.objects.filter(user=editor).exists()


def test_the_admin_login_page_is_allauths(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/"


def test_a_learner_never_enters_the_admin(client, home_page):
    log_in(client, UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 403
    assert "Tài khoản của bạn không có quyền vào trang này." in response.content.decode()
