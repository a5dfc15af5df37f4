"""In Chromium: a ward manager signs in with TOTP, filters the completion records, and downloads
them as CSV and XLSX; the files hold exactly the ward's rows that match."""

import csv
import datetime
import io

from django.utils import timezone

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from openpyxl import load_workbook

from courses import assignments
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.browser.helpers import sign_in
from tests.courses.factories import complete_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_ward_manager_filters_and_downloads_the_completion_records(browser, live_server, course, unit_tree):
    assignments.assign(course["course"], [unit_tree["HN-P-HK"]], timezone.localdate() + datetime.timedelta(10), None)
    complete_course(UserFactory(full_name="Nguyễn Văn Xong", unit=unit_tree["HN-P-HK-CA"]), course)
    complete_course(UserFactory(full_name="Phạm Thị Xã", unit=unit_tree["HN-X-SS"]), course)
    UserFactory(full_name="Lê Văn Chưa", unit=unit_tree["HN-P-HK-CA"])
    manager = UserFactory(email="quan.ly.phuong@example.org", roles=["Managers"])
    ManagerScopeFactory(user=manager, unit=unit_tree["HN-P-HK"])
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)

    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server.url, "quan.ly.phuong@example.org", totp_secret=secret, start="/admin/")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/reports/completion-records/")
    listing = page.locator("main")
    assert "Nguyễn Văn Xong" in listing.inner_text() and "Lê Văn Chưa" in listing.inner_text()
    assert "Phạm Thị Xã" not in listing.inner_text()

    # Filter: completed only, through the report's filter panel.
    page.locator("#filters-drilldown [data-w-dropdown-target='toggle']").first.click()
    page.locator('button[aria-controls="drilldown-id_status"]').click()
    page.locator("#drilldown-id_status").get_by_label("Đã hoàn thành", exact=True).check()
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!document.querySelector('main').innerText.includes('Lê Văn Chưa')")
    assert "status=completed" in page.url

    page.keyboard.press("Escape")
    page.locator("#w-slim-header-buttons button[data-w-dropdown-target='toggle']").first.click()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Tải CSV").click()
    assert csv_download.value.suggested_filename == "ho-so-hoan-thanh.csv"
    with open(csv_download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert [row[0] for row in rows[1:]] == ["Nguyễn Văn Xong"]

    if not page.get_by_role("link", name="Tải XLSX").is_visible():
        page.locator("#w-slim-header-buttons button[data-w-dropdown-target='toggle']").first.click()
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Tải XLSX").click()
    assert xlsx_download.value.suggested_filename == "ho-so-hoan-thanh.xlsx"
    with open(xlsx_download.value.path(), "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Nguyễn Văn Xong"]
    context.close()
