"""In Chromium, on a 360 px phone and at desktop width: a city manager signs in (password, then the
TOTP code), reads the dashboard's rate chart, narrows it with the unit tree (searching by name),
filters the completion records with the same tree and downloads them as CSV and XLSX; every page
passes axe without serious or critical findings and asks nothing of another site."""

import csv
import datetime
import io

from django.utils import timezone

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from openpyxl import load_workbook

from courses import assignments
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.browser.helpers import sign_in, wait_for_short_animations
from tests.browser.test_accessibility import axe_violations
from tests.courses.factories import complete_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE, DESKTOP = {"width": 360, "height": 740}, {"width": 1280, "height": 900}


def serious(page):
    # A listing Wagtail is swapping in fades while it loads: let the request and the fade end first.
    page.wait_for_load_state("networkidle")
    wait_for_short_animations(page)
    return [finding for finding in axe_violations(page) if finding[1] in ("serious", "critical")]


def chart_rows(page):
    """The chart's table alternative, read as a screen reader would reach it: unit → rate cell."""
    table = page.locator("[data-rate-chart] details")
    if table.get_attribute("open") is None:
        table.locator("summary").click()
    rows = page.locator("[data-rate-chart] details table tbody tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").nth(2).inner_text()
        for i in range(rows.count())
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_city_manager_reads_the_chart_filters_by_the_tree_and_exports(
    browser, live_server, course, unit_tree, viewport
):
    assignments.assign(course["course"], [unit_tree["HN-P-HK"]], timezone.localdate() + datetime.timedelta(10), None)
    complete_course(UserFactory(full_name="Nguyễn Văn Xong", unit=unit_tree["HN-P-HK-CA"]), course)
    UserFactory(full_name="Lê Văn Chưa", unit=unit_tree["HN-P-HK-CA"])
    UserFactory(full_name="Trần Thị Trạm", unit=unit_tree["HN-P-HK-TYT"])
    complete_course(UserFactory(full_name="Phạm Thị Xã", unit=unit_tree["HN-X-SS"]), course)
    manager = UserFactory(email="quan.ly.thanh.pho@example.org", roles=["Managers"])
    ManagerScopeFactory(user=manager, unit=unit_tree["HN"])
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)

    context = browser.new_context(locale="vi-VN", viewport=viewport, accept_downloads=True, bypass_csp=True)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    sign_in(page, live_server.url, manager.email, totp_secret=secret, start="/admin/")
    page.wait_for_url(f"{live_server.url}/admin/")

    # The dashboard: the chart is an image with a name, its figures a table beside it.
    chart = page.locator("[data-rate-chart]")
    chart.locator('svg[role="img"]').scroll_into_view_if_needed()
    assert chart.locator('svg[role="img"]').is_visible()
    assert chart_rows(page) == {
        "Sở Y tế": "— (không có giao khóa học)",
        "Phường Hoàn Kiếm": "33",
        "Xã Sóc Sơn": "— (không có giao khóa học)",
    }
    assert serious(page) == []

    # The tree: search by name without accents, pick the ward, show its units.
    form = page.locator("[data-rate-chart-form]")
    form.locator("#id_chart-unit-search").fill("hoan kiem")
    assert form.locator("[data-unit-tree-status]").inner_text() == "Số đơn vị tìm thấy: 3"
    assert not form.locator('li[data-unit-name="Xã Sóc Sơn"]').is_visible()
    page.keyboard.press("Tab")  # from the search field, the keyboard reaches the choices
    assert page.evaluate("document.activeElement.name") == "chart-unit"
    form.get_by_label("Phường Hoàn Kiếm", exact=True).check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert f"chart-unit={unit_tree['HN-P-HK'].pk}" in page.url
    assert chart_rows(page) == {"Trạm Y tế phường Hoàn Kiếm": "0", "Công an phường Hoàn Kiếm": "50"}
    assert serious(page) == []

    # The completion records, filtered with the same tree.
    page.goto(f"{live_server.url}/admin/reports/completion-records/")
    page.locator("#filters-drilldown [data-w-dropdown-target='toggle']").first.click()
    page.locator('button[aria-controls="drilldown-id_unit"]').click()
    unit_filter = page.locator("#drilldown-id_unit")
    unit_filter.locator("#id_unit-search").fill("công an")
    assert unit_filter.locator('li[data-unit-name="Công an phường Hoàn Kiếm"]').is_visible()
    assert not unit_filter.locator('li[data-unit-name="Trạm Y tế phường Hoàn Kiếm"]').is_visible()
    unit_filter.get_by_label("Công an phường Hoàn Kiếm", exact=True).check()
    page.wait_for_function("!document.querySelector('main table.listing').innerText.includes('Trần Thị Trạm')")
    assert f"unit={unit_tree['HN-P-HK-CA'].pk}" in page.url
    page.keyboard.press("Escape")
    listing = page.locator("main table.listing").inner_text()
    assert "Nguyễn Văn Xong" in listing and "Lê Văn Chưa" in listing and "Phạm Thị Xã" not in listing
    assert serious(page) == []

    # Both downloads hold the unit's rows only.
    export_menu = page.locator("#w-slim-header-buttons button[data-w-dropdown-target='toggle']")
    export_menu.first.click()
    with page.expect_download() as csv_download:
        page.locator("a[href*='export=csv']").first.click()
    with open(csv_download.value.path(), encoding="utf-8-sig") as file:
        assert sorted(row[0] for row in list(csv.reader(file))[1:]) == ["Lê Văn Chưa", "Nguyễn Văn Xong"]
    if not page.locator("a[href*='export=xlsx']").first.is_visible():
        export_menu.first.click()
    with page.expect_download() as xlsx_download:
        page.locator("a[href*='export=xlsx']").first.click()
    with open(xlsx_download.value.path(), "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["Lê Văn Chưa", "Nguyễn Văn Xong"]
    context.close()

    assert [url for url in requests if not url.startswith(live_server.url)] == []
