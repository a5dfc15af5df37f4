import os
from pathlib import Path

from django.db import connection

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
