"""A request that cannot reach the database gets the site's 503 page, not its 500 (issue 14).

The database is made really unreachable: the connection is closed and pointed at a port where
nothing listens, so the driver itself fails to connect. (tests/topology/ stops a real PostgreSQL
under the whole topology.) An in-memory SQLite database cannot be made unreachable, so this runs
on PostgreSQL.
"""

import contextlib
import socket

from django.db import connection
from django.test import Client

import pytest

from tests.accounts.factories import UserFactory
from tests.cms.test_error_pages import DEFAULT_QUICK_EXIT_URL

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="an in-memory SQLite database cannot be cut off"),
]

TEXTS = {
    "vi": ("Trang web đang tạm gián đoạn", "Những gì bạn đã gửi vẫn được lưu. Vui lòng thử lại sau một phút."),
    "en": ("The site is briefly unavailable", "What you have already sent is saved. Please try again in a minute."),
}


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def database_unreachable():
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_signed_in_page_without_its_database_is_a_503_in_the_visitors_language(home_page, language):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    if language == "en":
        client.cookies["language"] = "en"

    with database_unreachable():
        response = client.get("/my/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    heading, message = TEXTS[language]
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html and message in html
    # The quick-exit control still works: the built-in target, since the site's settings are unreadable.
    assert f'<a class="quick-exit__button" href="{DEFAULT_QUICK_EXIT_URL}"' in html
    assert "OperationalError" not in html and "Traceback" not in html


def test_the_site_serves_again_once_the_database_is_back(home_page):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with database_unreachable():
        assert client.get("/my/").status_code == 503

    assert client.get("/my/").status_code == 200
