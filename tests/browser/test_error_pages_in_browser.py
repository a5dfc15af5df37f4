"""In Chromium: the plain error page (every 500, and any error page whose full form fails) passes
axe-core like the site's pages, fits a phone, and its quick exit leaves with Esc."""

import pytest

from cms.models import HomePage
from tests.browser.test_accessibility import AXE, axe_violations
from tests.conftest import QUICK_EXIT_URL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_500_page_passes_axe_fits_a_phone_and_its_quick_exit_works(browser, live_server, home_page, monkeypatch):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it).")

    def fail(self, request, *args, **kwargs):
        raise RuntimeError("the page broke")

    monkeypatch.setattr(HomePage, "serve", fail)
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, bypass_csp=True)
    # The quick exit's neutral target is another site: answer it here, nothing leaves the machine.
    context.route(f"{QUICK_EXIT_URL}*", lambda route: route.fulfill(body="<p>Thời tiết</p>", content_type="text/html"))
    page = context.new_page()

    response = page.goto(f"{live_server.url}/")

    assert response.status == 500
    assert page.get_by_role("heading", level=1).inner_text() == "Đã có lỗi xảy ra"
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("Escape")
    page.wait_for_url(f"{QUICK_EXIT_URL}*")
    context.close()
