"""Sign-up keeps where the learner was going: from a course's "log in to enrol" through sign-up,
the e-mail and its confirmation, back to that course. A `next` off this site is dropped, never a 500."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.core import mail
from django.test import Client
from django.urls import reverse

import pytest

from accounts.safe_next import safe_next
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, signup_data

pytestmark = pytest.mark.django_db

LOGIN, SIGNUP = "/accounts/login/", "/accounts/signup/"


@pytest.fixture
def course_url(course, unit_tree):
    return course["course"].url


def link_to(html, path):
    """The href of the first link to `path` in the page's main content, as the browser reads it."""
    main = html.split("<main", 1)[1]
    return unescape(re.search(rf'href="({re.escape(path)}[^"]*)"', main).group(1))


def next_of(url):
    return parse_qs(urlsplit(url).query).get("next", [None])[0]


def confirmation_link():
    [message] = mail.outbox
    return re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)


def test_the_login_and_sign_up_pages_link_to_each_other_keeping_next(client, course_url):
    login_page = client.get(LOGIN, {"next": course_url}).content.decode()
    signup_url = link_to(login_page, SIGNUP)
    assert next_of(signup_url) == course_url

    signup_page = client.get(signup_url).content.decode()
    assert next_of(link_to(signup_page, LOGIN)) == course_url
    # The header's links too, on these two pages.
    header = signup_page.split("<main", 1)[0]
    assert f'href="{LOGIN}?next={course_url.replace("/", "%2F")}"' in header


def test_after_confirming_the_email_the_learner_is_signed_in_on_the_course(client, course_url):
    response = client.post(f"{SIGNUP}?next={course_url}", signup_data(next=course_url))
    assert response.status_code == 302

    link = confirmation_link()
    assert next_of(next_of(link)) == course_url  # in clear text in the mail: the login page, then the course
    confirm_page = client.get(link)
    response = client.post(link, {"next": next_of(link)})

    assert confirm_page.status_code == 200
    assert response.status_code == 302 and response.url == course_url
    page = client.get(course_url)
    assert page.wsgi_request.user.email == "lan.nguyen@example.org"


def test_confirmed_in_another_browser_the_learner_signs_in_and_goes_on_to_the_course(client, course_url):
    client.post(SIGNUP, signup_data(next=course_url))
    link = confirmation_link()
    elsewhere = Client()

    response = elsewhere.post(link, {"next": next_of(link)})
    assert response.url == f"{LOGIN}?next={course_url.replace('/', '%2F')}"
    response = elsewhere.post(
        response.url, {"login": "lan.nguyen@example.org", "password": DEFAULT_PASSWORD, "next": course_url}
    )

    assert response.status_code == 302 and response.url == course_url


UNSAFE = [
    "https://evil.example/khoa-hoc/",
    "//evil.example/",
    "/\\evil.example/",
    "javascript:alert(1)",
    "http://[",
    "http://testserver:99999/",
    "/khoa-hoc/\r\nSet-Cookie: a=b",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_a_next_off_the_site_or_garbage_is_dropped_and_nothing_breaks(client, home_page, unit_tree, unsafe):
    login_page = client.get(LOGIN, {"next": unsafe})
    signup_page = client.get(SIGNUP, {"next": unsafe})
    response = client.post(SIGNUP, signup_data(next=unsafe))

    assert login_page.status_code == 200 and signup_page.status_code == 200
    assert link_to(login_page.content.decode(), SIGNUP) == SIGNUP
    assert link_to(signup_page.content.decode(), LOGIN) == LOGIN
    assert response.status_code == 302 and response.url == reverse("account_email_verification_sent")
    link = confirmation_link()
    assert "next" not in link
    assert client.post(link).status_code == 302


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_a_signed_in_learner_is_not_sent_off_the_site_either(client, home_page, unsafe):
    user = UserFactory()
    response = client.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD, "next": unsafe})

    assert response.status_code == 302 and response.url == "/"


def test_safe_next_keeps_paths_and_this_host_only(rf):
    request = rf.get("/", HTTP_HOST="testserver")

    assert safe_next(request, "/khoa-hoc/?trang=2") == "/khoa-hoc/?trang=2"
    assert safe_next(request, "http://testserver/khoa-hoc/") == "http://testserver/khoa-hoc/"
    assert safe_next(request, "http://other.example.vn/") is None
    assert safe_next(rf.get("/", HTTP_HOST="testserver", secure=True), "http://testserver/") is None
    assert safe_next(None, "/khoa-hoc/") == "/khoa-hoc/" and safe_next(None, "http://testserver/") is None
    assert safe_next(request, None) is None and safe_next(request, "") is None
