"""Sign-up, e-mail verification, login, logout, password and e-mail changes through allauth."""

import re

from django.conf import settings
from django.core import mail
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, signup_data

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"


def field_errors(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def test_signup_records_profile_and_consent_and_sends_a_verification_mail(client, home_page, unit_tree):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    user = User.objects.get(email="lan.nguyen@example.org")
    assert user.full_name == "Nguyễn Thị Lan"
    assert user.unit == unit_tree["HN-P-HK-TYT"]
    assert user.position == "Y sĩ"
    assert user.staff_category == "staff"
    assert user.consent_given_at is not None
    assert user.consent_notice_version == settings.PRIVACY_NOTICE_VERSION
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Vui lòng xác nhận địa chỉ e-mail của bạn"
    assert "/accounts/confirm-email/" in message.body
    assert "Chương trình thử nghiệm" in message.body  # the organisation, not the host name
    assert "testserver xin" not in message.body


def test_signup_form_is_vietnamese_with_a_unit_list_and_the_privacy_link(client, home_page, unit_tree):
    response = client.get(SIGNUP_URL)
    html = response.content.decode()

    assert '<html lang="vi">' in html
    assert "Họ và tên" in html and "Đơn vị công tác" in html and "Tôi đồng ý" in html
    assert '<datalist id="unit-options">' in html
    assert '<option value="Trạm Y tế phường Hoàn Kiếm – Phường Hoàn Kiếm"></option>' in html
    assert 'href="/bao-mat/"' in html


def test_signup_in_english_when_the_visitor_chooses_it(client, home_page, unit_tree):
    client.get("/language/", {"language": "en", "next": SIGNUP_URL})
    response = client.get(SIGNUP_URL)
    html = response.content.decode()

    assert '<html lang="en">' in html
    assert "Full name" in html and "Organisation unit" in html


def test_email_confirmation_then_login_and_logout(client, home_page, unit_tree):
    client.post(SIGNUP_URL, signup_data())
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+)", mail.outbox[0].body).group(1)

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="lan.nguyen@example.org").verified

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "LAN.Nguyen@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "lan.nguyen@example.org"

    client.post(reverse("account_logout"))
    assert not client.get("/").context["user"].is_authenticated


def test_login_is_refused_until_the_email_is_verified(client, home_page, unit_tree):
    client.post(SIGNUP_URL, signup_data())
    client.post(reverse("account_logout"))

    response = client.post(reverse("account_login"), {"login": "lan.nguyen@example.org", "password": DEFAULT_PASSWORD})

    assert response.url == reverse("account_email_verification_sent")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"unit": "KHONG-CO"}, "unit", "Hãy chọn một đơn vị trong danh sách"),
        ({"unit": ""}, "unit", "Chọn đơn vị công tác của bạn."),
        ({"full_name": "     "}, "full_name", "Nhập họ và tên của bạn."),
        ({"full_name": "Nguyễn " * 30}, "full_name", "150"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "Mật khẩu quá ngắn"),
        ({"consent": None}, "consent", "Hãy đánh dấu vào ô đồng ý"),
        ({"staff_category": "quan-tri"}, "staff_category", "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_signup_input_gets_a_vietnamese_message_beside_the_field_and_no_account(
    client, home_page, unit_tree, overrides, field, message
):
    UserFactory(email="da.co@example.org")
    users_before = User.objects.count()

    response = client.post(SIGNUP_URL, signup_data(**overrides))

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field)), field_errors(response, field)
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_signup_with_a_taken_address_mails_its_owner_and_says_nothing_on_the_page(client, home_page, unit_tree):
    """Nobody learns from the form whether an address has an account (issue 12 reverses issue 2)."""
    owner = UserFactory(email="da.co@example.org", full_name="Người Đã Có")

    response = client.post(SIGNUP_URL, signup_data(email="DA.CO@EXAMPLE.ORG", full_name="Kẻ Lạ"))

    assert response.status_code == 302 and response.url == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.full_name == "Người Đã Có"
    [message] = mail.outbox
    assert message.to == ["da.co@example.org"]
    assert "/accounts/password/reset/" in message.body  # tells the owner how to get back in
    assert "/accounts/confirm-email/" not in message.body


def test_bad_signup_input_message_in_english_when_english_is_chosen(client, home_page, unit_tree):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(SIGNUP_URL, signup_data(full_name="   ", consent=None))

    assert field_errors(response, "full_name") == ["Enter your full name."]
    assert "Tick the box" in field_errors(response, "consent")[0]


def test_full_name_keeps_diacritics_in_one_normal_form(client, home_page, unit_tree):
    decomposed = "Nguye\u0302\u0303n  Thi\u0323   Lan"  # combining marks, as some keyboards send
    client.post(SIGNUP_URL, signup_data(full_name=decomposed))

    assert User.objects.get().full_name == "Nguyễn Thị Lan"


def test_the_unit_is_found_by_the_label_people_pick_or_by_its_code(client, home_page, unit_tree):
    client.post(SIGNUP_URL, signup_data(unit="Công an phường Hoàn Kiếm – Phường Hoàn Kiếm"))
    client.post(SIGNUP_URL, signup_data(email="b@example.org", unit="HN-SYT"))

    assert User.objects.get(email="lan.nguyen@example.org").unit == unit_tree["HN-P-HK-CA"]
    assert User.objects.get(email="b@example.org").unit == unit_tree["HN-SYT"]


def test_a_citizen_may_sign_up_without_a_unit(client, home_page, unit_tree):
    response = client.post(SIGNUP_URL, signup_data(unit="", staff_category="other", position=""))

    assert response.status_code == 302
    assert User.objects.get().unit is None


def test_password_reset_sends_a_link_that_sets_a_new_password(client, home_page):
    user = UserFactory(email="quen.mat.khau@example.org")

    client.post(reverse("account_reset_password"), {"email": "Quen.Mat.Khau@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/[^\s]+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    client.post(form_url, {"password1": "Mot-mat-khau-moi-2026", "password2": "Mot-mat-khau-moi-2026"})

    user.refresh_from_db()
    assert user.check_password("Mot-mat-khau-moi-2026")


def test_change_password(client, home_page):
    user = UserFactory()
    client.force_login(user)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": "Mat-khau-thu-hai-2026", "password2": "Mat-khau-thu-hai-2026"},
    )

    user.refresh_from_db()
    assert user.check_password("Mat-khau-thu-hai-2026")


def test_change_email_is_confirmed_before_it_replaces_the_old_one(client, home_page):
    user = UserFactory(email="cu@example.org")
    client.force_login(user)

    client.post(reverse("account_email"), {"action_add": "", "email": "moi@example.org"})
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+)", mail.outbox[-1].body).group(1)
    client.post(link)

    user.refresh_from_db()
    assert user.email == "moi@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["moi@example.org"]
