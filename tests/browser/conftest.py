import os
from pathlib import Path

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


@pytest.fixture
def browser():
    # One browser per test, started after the test's database set-up: a session-wide one,
    # started before it, left the serialized rollback restoring nothing (pages, roles gone).
    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's Chromium: apt-get install chromium (make test does it as root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
