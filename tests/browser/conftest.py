import os
import threading
from pathlib import Path

from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Playwright's sync API runs an event loop in this thread; the ORM calls the tests and the
# database teardown make around it are still synchronous and safe. (Set for the whole run:
# pytest-django's teardown runs after any fixture of ours could undo it.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeOnSharedConnections(ThreadedWSGIServer):
    """The live server, answering one request at a time when its threads share a connection.

    On SQLite the test database lives in memory, so every request thread of the live server uses
    the test's own connection. A browser fetches a page and its scripts at once; two threads on one
    sqlite3 connection at once fail with "bad parameter or other API misuse" (seen as a lost
    session and a 500 on /admin/jsi18n/). The whole response is produced under the lock, since a
    streamed body reads the database while it is sent.
    """

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeOnSharedConnections


@pytest.fixture(scope="session")
def _no_stray_database_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the sessions the live server's threads left.

    PostgreSQL refuses to drop a database another session uses; a request thread of the
    live server can outlive its request by a moment and keep one open.
    """
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture
def browser(_no_stray_database_sessions):
    # One browser per test, started after the test's database set-up: a session-wide one,
    # started before it, left the serialized rollback restoring nothing (pages, roles gone).
    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's Chromium: apt-get install chromium (make test does it as root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
