"""Redis is a cache, not a dependency: with the tests' own Redis killed mid-test, every page still
answers, sign-in works, rate limits still refuse a burst, the outage is logged once, and when
Redis is back the page cache serves again, never a page published over during the outage."""

import logging
import time

from django.core.cache import caches
from django.test import Client
from django.urls import reverse

import pytest

from cms.page_cache import VERSION_KEY
from ops.cache import shared_cache_is_available
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau."
RETRY_SECONDS = 0.3  # the redis_cache fixture's


def sign_in(user):
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def signed_in_as(client):
    """The learner /my/ is shown to, or None when it sends the visitor to sign in."""
    response = client.get("/my/")
    return response.context["user"] if response.status_code == 200 else None


def with_the_cookies_of(client):
    """Another browser holding a copy of `client`'s cookies (a copied or stolen session cookie)."""
    other = Client()
    other.cookies = client.cookies.__class__(client.cookies)
    return other


def wait_for_the_retry_interval():
    time.sleep(RETRY_SECONDS + 0.1)


def test_every_kind_of_page_answers_while_redis_is_down(redis_cache, client, site_tree, course):
    learner = UserFactory(full_name="Trần Thị Lan")
    learner_client = sign_in(learner)
    public_urls = ["/", site_tree["current"].url, site_tree["article"].url, site_tree["help"].url, "/verify/"]
    for url in public_urls:
        client.get(url)  # cached while Redis is up

    redis_cache.stop()

    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Page-Cache" not in response, url  # the page cache is bypassed, not read
    assert client.get("/accounts/login/").status_code == 200
    dashboard = learner_client.get("/my/")
    assert dashboard.status_code == 200 and "Trần Thị Lan" in dashboard.content.decode()
    course_page = learner_client.get(course["course"].url)
    assert course_page.status_code == 200 and course_page.context["user"] == learner
    assert learner_client.get(course["lesson"].url).status_code == 200
    newcomer = sign_in(UserFactory())  # signing in writes a new session and counts rate limits
    assert newcomer.get("/my/").status_code == 200
    assert not shared_cache_is_available(caches["default"])


def test_a_learner_signed_in_before_the_outage_stays_signed_in_during_and_after_it(redis_cache, course):
    learner = UserFactory()
    learner_client = sign_in(learner)

    redis_cache.stop()
    during = signed_in_as(learner_client)
    redis_cache.start()
    wait_for_the_retry_interval()
    after = signed_in_as(learner_client)

    assert during == learner and after == learner


@pytest.mark.parametrize(
    ("engine", "signed_out_holds"),
    [
        ("django.contrib.sessions.backends.db", True),  # production's choice
        # Why not cached_db: its copy in Redis outlives a sign-out Redis never heard of.
        ("django.contrib.sessions.backends.cached_db", False),
    ],
)
def test_a_sign_out_during_the_outage_holds_after_it(redis_cache, settings, course, engine, signed_out_holds):
    settings.SESSION_ENGINE = engine
    learner_client = sign_in(UserFactory())
    copied_before, copied_after = with_the_cookies_of(learner_client), with_the_cookies_of(learner_client)

    redis_cache.stop(keep_data=True)
    learner_client.post(reverse("account_logout"))
    assert signed_in_as(copied_before) is None  # during the outage the database says the session is gone
    redis_cache.start()
    wait_for_the_retry_interval()

    assert (signed_in_as(copied_after) is None) is signed_out_holds


def test_the_login_rate_limit_still_refuses_a_burst_while_redis_is_down(redis_cache, settings, home_page):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip,100/5m/key"}
    redis_cache.stop()

    answers = [
        Client().post(reverse("account_login"), {"login": f"doan{n}@example.org", "password": "sai-mat-khau"})
        for n in range(5)
    ]

    refused = [TOO_MANY in answer.content.decode() for answer in answers]
    assert refused == [False, False, False, True, True]
    assert all(answer.status_code == 200 for answer in answers)


def test_the_outage_is_logged_once_not_per_request_and_the_recovery_once(redis_cache, client, site_tree, caplog):
    caplog.set_level(logging.WARNING, logger="ops.cache")
    redis_cache.stop()

    for n in range(30):
        assert client.get("/" if n % 2 else site_tree["article"].url).status_code == 200
        if n % 10 == 9:
            wait_for_the_retry_interval()  # several failed tries of Redis, not just one
    redis_cache.start()
    wait_for_the_retry_interval()
    for _ in range(5):
        client.get("/")

    messages = [record.getMessage() for record in caplog.records if record.name == "ops.cache"]
    assert len(messages) == 2, messages
    assert "is unreachable" in messages[0] and f"127.0.0.1:{redis_cache.port}" in messages[0]
    assert "reachable again" in messages[1]
    assert all(record.levelno == logging.WARNING for record in caplog.records if record.name == "ops.cache")


def test_a_flapping_redis_is_logged_once_a_minute_too(redis_cache, client, home_page, caplog):
    caplog.set_level(logging.WARNING, logger="ops.cache")

    for _ in range(3):
        redis_cache.stop()
        assert client.get("/").status_code == 200
        redis_cache.start()
        wait_for_the_retry_interval()
        assert client.get("/").status_code == 200

    messages = [record.getMessage() for record in caplog.records if record.name == "ops.cache"]
    assert len(messages) == 2 and "is unreachable" in messages[0] and "reachable again" in messages[1], messages


def test_a_long_outage_is_logged_again_once_per_interval(redis_cache, client, home_page, caplog, monkeypatch):
    monkeypatch.setattr("ops.cache.WARNING_INTERVAL_SECONDS", 0.5)  # a minute in production
    caplog.set_level(logging.WARNING, logger="ops.cache")
    redis_cache.stop()

    started = time.monotonic()
    while time.monotonic() - started < 1.2:
        assert client.get("/").status_code == 200
        time.sleep(0.05)

    messages = [record.getMessage() for record in caplog.records if record.name == "ops.cache"]
    assert 2 <= len(messages) <= 3, messages
    assert all("is unreachable" in message for message in messages)
    assert " for " not in messages[0] and all(" for " in message for message in messages[1:])  # how long so far


def test_after_redis_returns_the_page_cache_hits_again_and_serves_nothing_published_over(
    redis_cache, client, site_tree
):
    article = site_tree["article"]
    client.get(article.url)
    assert client.get(article.url)["X-Page-Cache"] == "hit"
    version_before = caches["default"].get(VERSION_KEY)

    redis_cache.stop(keep_data=True)  # the old page is still in Redis when it comes back
    article.title = "Tiêu đề sửa trong lúc Redis ngừng"
    article.save_revision().publish()
    during = client.get(article.url)
    assert "Tiêu đề sửa trong lúc Redis ngừng" in during.content.decode()
    redis_cache.start()
    wait_for_the_retry_interval()

    after = client.get(article.url)
    again = client.get(article.url)

    assert after["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    assert "Tiêu đề sửa trong lúc Redis ngừng" in again.content.decode()
    assert "Ra quân Tháng hành động" not in again.content.decode()
    assert caches["default"].get(VERSION_KEY) > version_before  # the old one survived the restart; bumped


def test_a_page_cached_by_no_one_during_the_outage_leaves_nothing_behind(redis_cache, client, site_tree):
    """Nothing built during the outage is kept: the next outage must not find it in a process's own cache."""
    redis_cache.stop()
    for _ in range(3):
        assert "X-Page-Cache" not in client.get("/")
    redis_cache.start()
    wait_for_the_retry_interval()

    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
