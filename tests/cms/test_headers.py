"""Nothing private cached, no side channels (issue 12 item 7).

Every answer to a signed-in user says `Cache-Control: private, no-store`; the anonymous page cache
never stores a page built for one and, in production, never says whether a page came from it; a
Permissions-Policy on every answer; the language cookie as guarded as the session cookie; pages
answer the methods they do not take with 405.
"""

import ast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

import pytest

from cms.page_cache import AnonymousPageCacheMiddleware
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.certificates.factories import CertificateFactory
from tests.test_platform import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

DENIED_FEATURES = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "bluetooth",
    "midi",
    "magnetometer",
    "gyroscope",
    "accelerometer",
    "display-capture",
    "browsing-topics",
    "interest-cohort",
]


def is_private(response):
    directives = {directive.strip() for directive in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.fixture
def learner_client(client, course):
    """A signed-in learner (the course exists)."""
    learner = UserFactory(full_name="Nguyễn Văn Bình")
    client.force_login(learner)
    client.learner = learner
    return client


# ---------------------------------------------------------------------------------------------
# Cache-Control on every answer to a signed-in user.


@pytest.mark.parametrize(
    "kind",
    [
        "home page",
        "dashboard",
        "course page",
        "module page",
        "quiz page",
        "e-mail settings",
        "password change",
        "two-factor page",
        "sign-in page (redirects a signed-in user)",
        "unknown page (404)",
        "search",
    ],
)
def test_every_page_a_learner_sees_is_private_and_not_stored(learner_client, course, kind):
    url = {
        "home page": "/",
        "dashboard": reverse("dashboard"),
        "course page": course["course"].url,
        "module page": course["lesson"].url,
        "quiz page": course["quiz_one"].url,
        "e-mail settings": reverse("account_email"),
        "password change": reverse("account_change_password"),
        "two-factor page": reverse("mfa_index"),
        "sign-in page (redirects a signed-in user)": reverse("account_login"),
        "unknown page (404)": "/khong-co-trang-nay/",
        "search": "/search/?q=bạo+lực",
    }[kind]

    response = learner_client.get(url)

    assert response.status_code in (200, 302, 404)
    assert is_private(response), (kind, response.get("Cache-Control"))


def test_a_learners_own_certificate_pdf_is_private(client, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered on commit
        certificate = CertificateFactory(course=course["course"])
    client.force_login(certificate.user)

    response = client.get(reverse("certificate_pdf", args=[certificate.serial_slug]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert is_private(response)


def test_the_answers_to_a_quiz_and_to_enrolment_are_private(learner_client, course):
    enrolled = learner_client.post(course["course"].url + "enrol/")
    done = learner_client.post(course["lesson"].url, {"mark_done": "1"})

    assert enrolled.status_code == 302 and is_private(enrolled)
    assert done.status_code in (200, 302) and is_private(done)


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/users/", "/admin/no-such-view/"])
def test_every_admin_answer_is_private_keeping_wagtails_own_directives(staff_client, path):
    client = staff_client("Administrators")

    response = client.get(path)

    assert response.status_code in (200, 404)
    assert is_private(response), response.get("Cache-Control")


def test_never_cache_keeps_its_directives_beside_private(staff_client):
    # healthz is never_cache: the directives merge, nothing is lost.
    response = staff_client("Administrators").get("/healthz")

    directives = {directive.strip() for directive in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache", "must-revalidate"} <= directives


def test_signing_in_and_out_are_private(client, home_page):
    learner = UserFactory()
    signed_in = client.post(reverse("account_login"), {"login": learner.email, "password": DEFAULT_PASSWORD})
    assert signed_in.status_code == 302 and is_private(signed_in)

    signed_out = client.post(reverse("account_logout"))
    assert signed_out.status_code == 302 and is_private(signed_out)


def test_a_signed_in_users_error_answers_are_private(client, home_page):
    client.force_login(UserFactory())

    forbidden = client.get("/admin/")
    bad_host = client.get("/", headers={"host": "evil.example.com"})
    nul = client.get("/my/", {"q": "\x00"})  # refused before the user is even looked up
    client.handler.enforce_csrf_checks = True
    csrf_failure = client.post(reverse("account_change_password"), {"oldpassword": "x"})

    assert forbidden.status_code == 403 and is_private(forbidden)
    assert bad_host.status_code == 400 and is_private(bad_host)
    assert nul.status_code == 400 and is_private(nul)
    assert_denies_the_features(nul)
    assert csrf_failure.status_code == 403 and is_private(csrf_failure)


def test_static_files_stay_cacheable_for_a_signed_in_user(client, home_page, settings, tmp_path):
    # WhiteNoise answers before the session is read: CSS and scripts are the same for everyone.
    (tmp_path / "site.css").write_text("body { color: black; }")
    settings.STATIC_ROOT = tmp_path
    client.force_login(UserFactory())
    whitenoise = Client()  # a new handler, so WhiteNoise indexes the new STATIC_ROOT
    whitenoise.cookies = client.cookies

    response = whitenoise.get("/static/site.css")

    assert response.status_code == 200
    assert not is_private(response)
    assert_denies_the_features(response)


def test_an_anonymous_public_page_stays_cacheable(client, site_tree):
    response = client.get(site_tree["article"].url)

    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "") and "no-store" not in response.get("Cache-Control", "")


# ---------------------------------------------------------------------------------------------
# The anonymous page cache never stores a page built for somebody.


def test_a_page_built_for_a_signed_in_user_is_never_stored_even_if_the_request_looked_anonymous(
    client, site_tree, monkeypatch
):
    # Suppose the request-side check missed the session (a renamed cookie, another way of signing
    # in): what was built for the user is still refused on the storing side.
    monkeypatch.setattr("cms.page_cache.is_cacheable_request", lambda request: request.method == "GET")
    url = site_tree["article"].url
    client.force_login(UserFactory(full_name="Nguyễn Văn Bình"))

    client.get(url)
    client.logout()
    response = client.get(url)

    assert "Bình" not in response.content.decode()
    assert response["X-Page-Cache"] == "miss"


def page_cache_round(first_response, request_setup=lambda request: None):
    """Run the page cache middleware twice on one anonymous URL: what does the second visitor get?"""
    factory = RequestFactory()
    first_request = factory.get("/tin-tuc/")
    first_request.user = AnonymousUser()
    request_setup(first_request)
    AnonymousPageCacheMiddleware(lambda request: first_response)(first_request)

    second_request = factory.get("/tin-tuc/")
    return AnonymousPageCacheMiddleware(lambda request: HttpResponse("Trang cho khách", content_type="text/html"))(
        second_request
    )


def personal_page():
    return HttpResponse("Trang của Bình", content_type="text/html; charset=utf-8")


def test_the_page_cache_does_store_a_page_built_for_nobody(db):
    second = page_cache_round(personal_page())

    assert second.content.decode() == "Trang của Bình"  # the cache works: the refusals below mean something


def test_the_page_cache_never_stores_a_page_rendered_for_a_user_signed_in_during_the_request(db):
    def signed_in(request):
        request.user = UserFactory()

    second = page_cache_round(personal_page(), request_setup=signed_in)

    assert second.content.decode() == "Trang cho khách"


def test_the_page_cache_never_stores_a_page_that_sets_a_cookie(db):
    response = personal_page()
    response.set_cookie("messages", "x")

    assert page_cache_round(response).content.decode() == "Trang cho khách"


def test_the_page_cache_never_stores_a_page_that_varies_on_cookies(db):
    response = personal_page()
    response["Vary"] = "Accept-Encoding, Cookie"

    assert page_cache_round(response).content.decode() == "Trang cho khách"


@pytest.mark.parametrize("cache_control", ["private", "no-store", "max-age=0, no-cache"])
def test_the_page_cache_never_stores_a_page_marked_private(db, cache_control):
    response = personal_page()
    response["Cache-Control"] = cache_control

    assert page_cache_round(response).content.decode() == "Trang cho khách"


def test_search_results_are_never_cached(client, site_tree):
    # A cached answer comes back faster: it would tell a visitor what others searched for.
    for _ in range(2):
        response = client.get("/search/", {"q": "ra quân"})
        assert response.status_code == 200 and "X-Page-Cache" not in response


# ---------------------------------------------------------------------------------------------
# No cache-hit header in production.


@pytest.fixture(scope="module")
def production_settings():
    """The values config.settings.production gives, read in a process of its own (its imports would
    change this process's settings)."""
    names = ["PAGE_CACHE_STATUS_HEADER", "PERMISSIONS_POLICY", "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SAMESITE"]
    code = f"from django.conf import settings; print(repr({{name: getattr(settings, name) for name in {names!r}}}))"
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_production_never_says_whether_a_page_came_from_the_cache(
    client, site_tree, production_settings, django_assert_max_num_queries
):
    assert production_settings["PAGE_CACHE_STATUS_HEADER"] is False
    url = site_tree["article"].url

    with override_settings(PAGE_CACHE_STATUS_HEADER=production_settings["PAGE_CACHE_STATUS_HEADER"]):
        first = client.get(url)
        with django_assert_max_num_queries(1):
            second = client.get(url)  # from the cache

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def test_production_keeps_the_permissions_policy_and_the_cookie_flags(production_settings):
    assert production_settings["PERMISSIONS_POLICY"] == settings.PERMISSIONS_POLICY
    assert production_settings["LANGUAGE_COOKIE_HTTPONLY"] is True
    assert production_settings["LANGUAGE_COOKIE_SAMESITE"] == "Lax"


# ---------------------------------------------------------------------------------------------
# Permissions-Policy on every answer.


def assert_denies_the_features(response):
    policy = {
        feature.strip(): allowlist.strip()
        for feature, allowlist in (item.split("=", 1) for item in response["Permissions-Policy"].split(","))
    }
    for feature in DENIED_FEATURES:
        assert policy.get(feature) == "()", feature


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/tin-tuc/ra-quan/",
        "/robots.txt",
        "/sitemap.xml",
        "/healthz",
        "/static/css/site.css",
        "/accounts/login/",
        "/admin/",  # anonymous: a redirect to the sign-in page
        "/khong-co-trang-nay/",
        "/search/?q=a",
        "/verify/",
    ],
)
def test_every_public_answer_denies_camera_microphone_location_and_the_rest(client, site_tree, path):
    response = client.get(path)

    assert response.status_code < 500
    assert_denies_the_features(response)


def test_an_answer_from_the_page_cache_carries_the_policy_too(client, site_tree):
    client.get("/")
    response = client.get("/")

    assert response["X-Page-Cache"] == "hit"
    assert_denies_the_features(response)


def test_admin_and_error_answers_carry_the_policy(staff_client, client, home_page):
    admin = staff_client("Administrators")
    assert_denies_the_features(admin.get("/admin/"))
    assert_denies_the_features(admin.get("/admin/pages/"))
    admin.logout()

    learner = UserFactory()
    client.force_login(learner)
    forbidden = client.get("/admin/")
    assert forbidden.status_code == 403
    assert_denies_the_features(forbidden)

    bad_host = Client().get("/", headers={"host": "evil.example.com"})
    assert bad_host.status_code == 400
    assert_denies_the_features(bad_host)

    csrf = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "a@example.org"})
    assert csrf.status_code == 403
    assert_denies_the_features(csrf)


# ---------------------------------------------------------------------------------------------
# The language cookie.


def test_the_language_cookie_is_httponly_and_samesite_lax(client, home_page):
    response = client.get(reverse("choose_language"), {"language": "en", "next": "/"})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"


# ---------------------------------------------------------------------------------------------
# Pages answer the methods they do not take with 405.


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("home", "GET, HEAD"),
        ("article", "GET, HEAD"),
        ("articles", "GET, HEAD"),
        ("course", "GET, HEAD, POST"),
        ("enrol", "GET, HEAD, POST"),
        ("module", "GET, HEAD, POST"),
    ],
)
def test_pages_answer_methods_they_do_not_take_with_405(site_tree, course, page, allowed):
    url = {
        "home": "/",
        "article": site_tree["article"].url,
        "articles": site_tree["articles"].url,
        "course": course["course"].url,
        "enrol": course["course"].url + "enrol/",
        "module": course["quiz_one"].url,
    }[page]
    # As a real client would send them: the CSRF check is on, and still the answer is 405, not 403.
    client = Client(enforce_csrf_checks=True)

    for method in ("put", "patch", "delete", "options"):
        response = getattr(client, method)(url)

        assert response.status_code == 405, method
        assert response["Allow"] == allowed, method


def test_a_page_that_takes_no_form_answers_post_with_405(site_tree):
    response = Client(enforce_csrf_checks=True).post(site_tree["article"].url)

    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_pages_still_answer_get_and_head_and_forms_still_post(learner_client, site_tree, course):
    assert learner_client.get("/").status_code == 200
    assert learner_client.head(site_tree["article"].url).status_code == 200
    assert learner_client.post(course["course"].url + "enrol/").status_code == 302
