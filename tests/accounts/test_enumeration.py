"""No account enumeration: login, sign-up and password reset answer alike for a known and an unknown address.

Officials of a GBV programme must not be discoverable by their address. The pages are compared
whole, after following redirects, once what differs by design is masked: CSRF tokens, CSP
nonces, and the address the visitor typed.
"""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, signup_data
from tests.accounts.test_signup import SIGNUP_URL

pytestmark = pytest.mark.django_db

KNOWN = "can.bo@example.org"
UNKNOWN = "khong.co@example.org"

MASKS = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'), r"\1CSRF"),
    (re.compile(r'(nonce=")[^"]+'), r"\1NONCE"),
]


def masked(response, address):
    html = response.content.decode()
    for pattern, replacement in MASKS:
        html = pattern.sub(replacement, html)
    return html.replace(address, "ADDRESS")


def answer(flow, address):
    """What a fresh visitor sees: each redirect followed, status and final page."""
    client = Client()
    if flow == "login":
        response = client.post(reverse("account_login"), {"login": address, "password": "Khong-dung-2026"}, follow=True)
    elif flow == "signup":
        response = client.post(SIGNUP_URL, signup_data(email=address), follow=True)
    else:
        response = client.post(reverse("account_reset_password"), {"email": address}, follow=True)
    return [url for url, _ in response.redirect_chain], response.status_code, masked(response, address)


@pytest.mark.parametrize("flow", ["login", "signup", "password reset"])
def test_a_known_and_an_unknown_address_get_the_same_page(home_page, unit_tree, flow):
    UserFactory(email=KNOWN)

    known, unknown = answer(flow, KNOWN), answer(flow, UNKNOWN)

    assert known[:2] == unknown[:2]
    assert known[2] == unknown[2]
    assert "ADDRESS" in known[2] or flow != "login"  # the mask did hide the typed address


def test_each_mailbox_learns_what_concerns_it(home_page, unit_tree):
    """The owner of a taken address hears of the sign-up; an unknown address hears it has no account."""
    UserFactory(email=KNOWN)

    answer("signup", KNOWN)
    answer("password reset", UNKNOWN)

    assert [message.to for message in mail.outbox] == [[KNOWN], [UNKNOWN]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body
    assert User.objects.filter(email=UNKNOWN).count() == 0 and User.objects.count() == 1


def test_the_right_password_of_a_known_address_still_signs_in(home_page):
    user = UserFactory(email=KNOWN)
    client = Client()

    response = client.post(reverse("account_login"), {"login": KNOWN, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert client.get("/").context["user"] == user
