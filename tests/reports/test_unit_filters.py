"""Every unit filter (completion records, unit summary, assignments, the assign form, the dashboard's
chart, the certificates ZIP) is the unit tree of accounts.widgets, offers only the units the user sees, and keeps the rows
of the chosen unit's whole subtree."""

import datetime
import re

from django.utils import timezone

import pytest

from courses import assignments
from tests.reports.test_reports import SUMMARY, URL, manager_of

pytestmark = pytest.mark.django_db

TREE = 'class="unit-tree" data-unit-tree'


def listing(html):
    """The results table only: the filter's tree names units too."""
    start = html.index('<table class="listing')
    return html[start : html.index("</table>", start)]


def offered_units(html):
    return re.findall(r'data-unit-name="([^"]+)"', html)


def test_the_completion_records_filter_is_the_tree_and_keeps_the_subtree(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN")

    html = client.get(URL, {"unit": unit_tree["HN-P-HK"].pk}).content.decode()

    assert TREE in html and "Tìm đơn vị theo tên" in html
    assert offered_units(html)[:2] == ["Thành phố Hà Nội", "Sở Y tế"]
    rows = listing(html)
    assert all(name in rows for name in ("Nguyễn Văn Xong", "Trần Thị Dở", "Lê Văn Chưa"))
    assert "Phạm Thị Xã" not in rows


def test_the_unit_summary_filter_is_the_tree_and_keeps_the_subtree(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN")

    html = client.get(SUMMARY, {"courses": "area-1", "unit": unit_tree["HN-P-HK"].pk}).content.decode()

    assert TREE in html
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', listing(html))
    assert rows == ["Phường Hoàn Kiếm", "Trạm Y tế phường Hoàn Kiếm", "Công an phường Hoàn Kiếm", "Tổng cộng"]


def test_the_assignments_filter_is_the_tree_and_keeps_the_subtree(staff_client, unit_tree, records, course):
    due = timezone.localdate() + datetime.timedelta(20)
    assignments.assign(course["course"], [unit_tree["HN-P-HK-CA"], unit_tree["HN-X-SS"]], due, None)
    client = manager_of(staff_client, unit_tree, "HN")

    html = client.get("/admin/assignments/", {"unit": unit_tree["HN-P-HK"].pk}).content.decode()

    assert TREE in html
    rows = listing(html)
    assert "Phường Hoàn Kiếm" in rows and "Công an phường Hoàn Kiếm" in rows
    assert "Xã Sóc Sơn" not in rows


def test_the_assign_form_offers_the_tree_of_the_scope_as_check_boxes(staff_client, unit_tree):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get("/admin/assignments/assign/").content.decode()

    assert TREE in html
    assert offered_units(html) == ["Phường Hoàn Kiếm", "Trạm Y tế phường Hoàn Kiếm", "Công an phường Hoàn Kiếm"]
    assert 'type="checkbox" name="units"' in html and "/static/js/unit-tree-select.js" in html


def test_the_dashboard_chart_filter_is_the_tree_of_the_scope(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get("/admin/").content.decode()

    assert TREE in html and 'name="chart-unit"' in html
    assert offered_units(html) == ["Phường Hoàn Kiếm", "Trạm Y tế phường Hoàn Kiếm", "Công an phường Hoàn Kiếm"]


@pytest.mark.parametrize("path", [URL, SUMMARY, "/admin/assignments/"])
@pytest.mark.parametrize("unit", ["HN-X-SS", "not-a-number"])
def test_a_unit_out_of_scope_is_refused_clearly_in_every_filter(staff_client, unit_tree, records, path, unit):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")
    value = unit_tree[unit].pk if unit in unit_tree else unit

    response = client.get(path, {"unit": value})

    html = response.content.decode()
    assert response.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ." in html
    assert "Phạm Thị Xã" not in html


def test_the_certificates_zip_form_offers_the_tree_of_the_scope(staff_client, unit_tree):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get("/admin/certificates/zip/").content.decode()

    assert TREE in html and "/static/js/unit-tree-select.js" in html
    assert offered_units(html) == ["Phường Hoàn Kiếm", "Trạm Y tế phường Hoàn Kiếm", "Công an phường Hoàn Kiếm"]
