"""The managers' completion records: rows, scope, filters, safe exports and the export log."""

import csv
import datetime
import io

from django.utils import timezone

import pytest
from openpyxl import load_workbook

from audit.models import ExportLog
from courses import services as course_services
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.conftest import sign_in_past_second_factor

pytestmark = pytest.mark.django_db

URL = "/admin/reports/completion-records/"


def manager_of(staff_client, unit_tree, code):
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree[code])
    return client


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_a_ward_manager_sees_every_learner_of_the_ward_and_no_one_else(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get(URL).content.decode()

    for name in ("Nguyễn Văn Xong", "Trần Thị Dở", "Lê Văn Chưa"):
        assert name in html
    assert "Phạm Thị Xã" not in html


def test_the_csv_holds_one_row_per_learner_and_course_with_every_column(staff_client, unit_tree, records, course):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = csv_rows(client.get(URL, {"export": "csv"}))

    assert rows[0][:6] == ["Họ và tên", "E-mail", "Đơn vị", "Chức vụ", "Đối tượng", "Khóa học"]
    by_name = {row[0]: row for row in rows[1:]}
    assert sorted(by_name) == ["Lê Văn Chưa", "Nguyễn Văn Xong", "Trần Thị Dở"]
    done = by_name["Nguyễn Văn Xong"]
    assert done[2] == "Thành phố Hà Nội › Phường Hoàn Kiếm › Công an phường Hoàn Kiếm"
    assert done[3] == "Cán bộ" and done[5] == course["course"].title and done[7] == "Được giao"
    assert (
        done[10] == "100"
        and done[11]
        and done[12] == "100"
        and done[14].endswith("/GCN")
        and done[15] == "Còn hiệu lực"
    )
    assert by_name["Trần Thị Dở"][10] == "33" and by_name["Trần Thị Dở"][11] == ""
    idle = by_name["Lê Văn Chưa"]
    assert idle[8] == (timezone.localdate() + datetime.timedelta(10)).isoformat() and idle[9] == "" and idle[10] == "0"


@pytest.mark.parametrize(
    "filters, names",
    [
        ({"status": "completed"}, ["Nguyễn Văn Xong"]),
        ({"status": "in_progress"}, ["Trần Thị Dở"]),
        ({"status": "not_started"}, ["Lê Văn Chưa"]),
        ({"unit": "HN-P-HK-TYT"}, ["Trần Thị Dở"]),
        ({"area": "3"}, []),
        ({"completed_from": "today"}, ["Nguyễn Văn Xong"]),
    ],
)
def test_filters_narrow_the_rows(staff_client, unit_tree, records, filters, names):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")
    query = dict(filters)
    if "unit" in query:
        query["unit"] = unit_tree[query["unit"]].pk
    if "completed_from" in query:
        query = {"completed_from": timezone.localdate().isoformat()}

    rows = csv_rows(client.get(URL, {**query, "export": "csv"}))

    assert sorted(row[0] for row in rows[1:]) == names


def test_overdue_rows_are_the_assigned_not_completed_past_their_due_date(staff_client, unit_tree, records, course):
    from courses.models import Assignment

    Assignment.objects.update(due_on=timezone.localdate() - datetime.timedelta(1))
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = csv_rows(client.get(URL, {"status": "overdue", "export": "csv"}))

    assert sorted(row[0] for row in rows[1:]) == ["Lê Văn Chưa", "Trần Thị Dở"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"unit": "commune"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"completed_from": "2026-12-31", "completed_to": "2026-01-01"}, "Ngày kết thúc đứng trước ngày bắt đầu."),
        ({"area": "tám"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"status": "'; DROP TABLE x"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"completed_from": "hôm qua"}, "Nhập một ngày hợp lệ."),
    ],
)
def test_junk_filters_and_units_outside_the_scope_get_a_message_and_no_rows(
    staff_client, unit_tree, records, query, message
):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")
    if query.get("unit") == "commune":
        query = {"unit": unit_tree["HN-X-SS"].pk}

    html = client.get(URL, query).content.decode()
    exported = csv_rows(client.get(URL, {**query, "export": "csv"}))

    assert message in html and "Phạm Thị Xã" not in html and "Nguyễn Văn Xong" not in html
    assert len(exported) == 1  # the headings only


def test_cells_that_look_like_formulas_are_neutralised_in_csv_and_xlsx(staff_client, unit_tree, records, course):
    hostile = UserFactory(full_name='=HYPERLINK("http://evil")', unit=unit_tree["HN-P-HK-CA"], position="+1-2")
    course_services.enrol(hostile, course["course"])
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = {row[0]: row for row in csv_rows(client.get(URL, {"export": "csv"}))[1:]}
    assert '\'=HYPERLINK("http://evil")' in rows and rows['\'=HYPERLINK("http://evil")'][3] == "'+1-2"

    response = client.get(URL, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    assert names['=HYPERLINK("http://evil")'].data_type == "s"  # text as it was, no apostrophe added
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_xlsx_holds_the_same_rows_as_the_csv(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    csv_names = sorted(row[0] for row in csv_rows(client.get(URL, {"export": "csv"}))[1:])
    response = client.get(URL, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    assert next(sheet.iter_rows(values_only=True))[0] == "Họ và tên"
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == csv_names


def test_every_export_is_logged_with_its_filters_and_row_count(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    csv_rows(client.get(URL, {"status": "completed", "export": "csv"}))
    b"".join(client.get(URL, {"export": "xlsx"}).streaming_content)  # streamed: counted once sent

    csv_log, xlsx_log = ExportLog.objects.order_by("created_at")
    assert (csv_log.user, csv_log.report, csv_log.export_format) == (client.user, "completion_records", "csv")
    assert csv_log.filters == {"status": "completed"} and csv_log.row_count == 1
    assert xlsx_log.export_format == "xlsx" and xlsx_log.row_count == 3


def test_an_export_of_nothing_is_a_file_with_its_headings(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-SYT")  # the department has no learners

    assert len(csv_rows(client.get(URL, {"export": "csv"}))) == 1
    assert ExportLog.objects.get().row_count == 0


def test_administrators_list_the_export_log_and_managers_cannot(staff_client, unit_tree, records, client):
    manager = manager_of(staff_client, unit_tree, "HN-P-HK")
    csv_rows(manager.get(URL, {"export": "csv"}))
    assert manager.get("/admin/export_log/").status_code == 302  # Wagtail sends them back: no permission

    admin = UserFactory(roles=["Administrators"])
    sign_in_past_second_factor(client, admin)
    html = client.get("/admin/export_log/").content.decode()
    assert "completion_records" in html and manager.user.email in html or manager.user.full_name in html


def test_learners_and_editors_cannot_open_the_report(staff_client, records):
    client = staff_client("Editors")

    response = client.get(URL)

    assert response.status_code == 302 and not ExportLog.objects.exists()


def test_a_city_manager_sees_the_whole_city(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN")

    names = sorted(row[0] for row in csv_rows(client.get(URL, {"export": "csv"}))[1:])

    assert names == ["Lê Văn Chưa", "Nguyễn Văn Xong", "Phạm Thị Xã", "Trần Thị Dở"]


SUMMARY = "/admin/reports/unit-summary/"


def summary_rows(response):
    return csv_rows(response)[1:]


def test_the_unit_summary_adds_up_as_counted_by_hand(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = summary_rows(client.get(SUMMARY, {"courses": "area-1", "export": "csv"}))

    # unit, learners, assigned, enrolled, completed, rate %, overdue, certificates,
    # assigned and completed, assigned completion rate %
    assert rows == [
        ["Phường Hoàn Kiếm", "3", "3", "2", "1", "33", "0", "1", "1", "33"],
        ["    Trạm Y tế phường Hoàn Kiếm", "1", "1", "1", "0", "0", "0", "0", "0", "0"],
        ["    Công an phường Hoàn Kiếm", "2", "2", "1", "1", "50", "0", "1", "1", "50"],
        ["Tổng cộng", "3", "3", "2", "1", "33", "0", "1", "1", "33"],
    ]


@pytest.mark.parametrize(
    "period, enrolled",
    [
        ({}, "2"),
        ({"period_from": "2020-01-01"}, "2"),
        ({"period_from": "2024-01-01", "period_to": "2024-12-31"}, "1"),  # the first enrolment only
    ],
)
def test_a_renewal_is_one_enrolled_pair_in_the_summary(staff_client, unit_tree, records, course, period, enrolled):
    from courses.models import Completion, Enrolment

    course["course"].certificate_validity_months = 12
    course["course"].save()
    Completion.objects.filter(user=records["done"]).update(completed_on=datetime.date(2024, 1, 1))
    Enrolment.objects.filter(user=records["done"]).update(started_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    course_services.enrol(records["done"], course["course"])  # two enrolments, one pair
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = summary_rows(client.get(SUMMARY, {"courses": "area-1", **period, "export": "csv"}))

    assert rows[-1][:4] == ["Tổng cộng", "3", "3", enrolled]


def test_the_city_total_counts_self_enrolled_learners_and_overdue_pairs(staff_client, unit_tree, records):
    from courses.models import Assignment

    Assignment.objects.update(due_on=timezone.localdate() - datetime.timedelta(1))
    client = manager_of(staff_client, unit_tree, "HN")

    rows = {
        row[0].strip(): row[1:] for row in summary_rows(client.get(SUMMARY, {"courses": "area-1", "export": "csv"}))
    }

    assert rows["Thành phố Hà Nội"] == ["4", "3", "3", "2", "50", "2", "2", "1", "33"]
    assert rows["Xã Sóc Sơn"] == ["1", "0", "1", "1", "100", "0", "1", "0", ""]
    assert rows["Sở Y tế"] == ["0", "0", "0", "0", "", "0", "0", "0", ""]
    assert rows["Tổng cộng"] == rows["Thành phố Hà Nội"]


def test_the_summary_period_and_course_choice_narrow_the_figures(staff_client, unit_tree, records, course):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")
    tomorrow = (timezone.localdate() + datetime.timedelta(1)).isoformat()

    later = summary_rows(client.get(SUMMARY, {"courses": "area-1", "period_from": tomorrow, "export": "csv"}))
    area_3 = summary_rows(client.get(SUMMARY, {"courses": "area-3", "export": "csv"}))
    one = summary_rows(client.get(SUMMARY, {"courses": str(course["course"].pk), "export": "csv"}))

    assert later[-1] == ["Tổng cộng", "3", "3", "0", "0", "0", "0", "0", "0", "0"]
    assert area_3[-1] == ["Tổng cộng", "3", "0", "0", "0", "", "0", "0", "0", ""]
    assert one[-1] == ["Tổng cộng", "3", "3", "2", "1", "33", "0", "1", "1", "33"]


def test_the_summary_refuses_junk_and_shows_its_table(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get(SUMMARY, {"courses": "999999"}).content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ." in html and '<th scope="row" style="padding-left: 2rem">Công an' not in html

    html = client.get(SUMMARY).content.decode()
    assert "Công an phường Hoàn Kiếm" in html and "Xã Sóc Sơn" not in html


def dashboard_figures(html):
    import re

    section = html[html.index('id="manager-dashboard-heading"') :]
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", section))


def test_the_dashboard_shows_a_ward_manager_the_figures_of_the_ward_only(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get("/admin/").content.decode()

    assert dashboard_figures(html) == {
        "Người học": "3",
        "Hoàn thành trong tháng": "1",
        "Hoàn thành trong năm": "1",
        "Giấy chứng nhận đã cấp": "1",
        "Khóa học được giao đã hoàn thành": "33%",
    }
    panel = html.split('id="manager-dashboard-heading"')[1].split("</section>")[0]
    assert panel.count("<svg") == 3 and '<th scope="row">Công an phường Hoàn Kiếm</th>' in panel
    assert "Xã Sóc Sơn" not in panel
    # Drawn on the server: no script, nothing fetched from elsewhere.
    assert "<script" not in panel and "http" not in panel.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_dashboard_shows_the_city_manager_the_whole_city(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN")

    figures = dashboard_figures(client.get("/admin/").content.decode())

    assert figures["Người học"] == "4" and figures["Hoàn thành trong năm"] == "2"
    assert figures["Giấy chứng nhận đã cấp"] == "2"


def test_editors_get_no_dashboard_panel(staff_client, records):
    html = staff_client("Editors").get("/admin/").content.decode()

    assert 'id="manager-dashboard-heading"' not in html


def test_a_unit_manager_sees_only_their_unit_in_every_report_export_and_the_dashboard(staff_client, unit_tree, records):
    client = manager_of(staff_client, unit_tree, "HN-P-HK-CA")

    records_csv = csv_rows(client.get(URL, {"export": "csv"}))
    summary = summary_rows(client.get(SUMMARY, {"courses": "area-1", "export": "csv"}))
    figures = dashboard_figures(client.get("/admin/").content.decode())
    by_url = client.get(URL, {"unit": unit_tree["HN-P-HK-TYT"].pk}).content.decode()

    assert sorted(row[0] for row in records_csv[1:]) == ["Lê Văn Chưa", "Nguyễn Văn Xong"]
    assert summary == [
        ["Công an phường Hoàn Kiếm", "2", "2", "1", "1", "50", "0", "1", "1", "50"],
        ["Tổng cộng", "2", "2", "1", "1", "50", "0", "1", "1", "50"],
    ]
    assert figures["Người học"] == "2" and figures["Giấy chứng nhận đã cấp"] == "1"
    assert "Trần Thị Dở" not in by_url and "Hãy chọn một lựa chọn hợp lệ." in by_url


def test_times_in_exports_are_hanoi_times(staff_client, unit_tree, records):
    from courses.models import Enrolment

    Enrolment.objects.filter(user=records["done"]).update(
        completed_at=datetime.datetime(2026, 11, 28, 20, 30, tzinfo=datetime.UTC)
    )
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = {row[0]: row for row in csv_rows(client.get(URL, {"export": "csv"}))[1:]}

    assert rows["Nguyễn Văn Xong"][11] == "2026-11-29T03:30:00+07:00"  # UTC+7, ISO 8601


def test_a_renewing_learner_has_one_row_for_the_course_the_latest(staff_client, unit_tree, records, course):
    from courses.models import Completion, Enrolment

    course["course"].certificate_validity_months = 12
    course["course"].save()
    Completion.objects.filter(user=records["done"]).update(completed_on=datetime.date(2024, 1, 1))
    renewal = course_services.enrol(records["done"], course["course"])
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    rows = [row for row in csv_rows(client.get(URL, {"export": "csv"}))[1:] if row[0] == "Nguyễn Văn Xong"]

    assert Enrolment.objects.filter(user=records["done"]).count() == 2 and not renewal.superseded
    assert len(rows) == 1 and rows[0][11] == "" and rows[0][10] == "0"  # the renewal: started, nothing done


@pytest.mark.parametrize("status", [None, "not_started", "in_progress", "completed", "overdue"])
@pytest.mark.parametrize("late", [False, True])
def test_the_counts_the_pages_use_match_the_rows(unit_tree, records, course, status, late):
    """The paginator's total comes from grouped counts, not from the rows: they must agree, with a
    renewal, closed accounts with and without an enrolment, and a self-enrolled learner."""
    from courses.models import Assignment, Completion, Enrolment
    from reports.rows import CompletionRows

    course["course"].certificate_validity_months = 12
    course["course"].save()
    Completion.objects.filter(user=records["done"]).update(completed_on=datetime.date(2024, 1, 1))
    course_services.enrol(records["done"], course["course"])  # a renewal: two enrolments, one row
    UserFactory(unit=unit_tree["HN-P-HK-CA"], is_active=False)  # closed, never started: no row
    closed = UserFactory(unit=unit_tree["HN-P-HK-TYT"])
    course_services.enrol(closed, course["course"])
    Enrolment.objects.filter(user=closed).update(completed_at=timezone.now(), score=90)
    closed.is_active = False
    closed.save()  # closed after finishing: the record stays
    course_services.enrol(UserFactory(unit=unit_tree["HN-X-SS"]), course["course"])  # self, not assigned
    if late:
        Assignment.objects.update(due_on=timezone.localdate() - datetime.timedelta(1))
    city_manager = UserFactory(roles=["Managers"])
    ManagerScopeFactory(user=city_manager, unit=unit_tree["HN"])

    rows = CompletionRows(city_manager, status=status)

    listed = list(rows)
    assert rows.count() == len(listed) == len(rows[0:1000])
    assert [row.full_name for row in rows[1:3]] == [row.full_name for row in listed[1:3]]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("position", [0, 1, 3])
@pytest.mark.parametrize("quoted", [False, True])
def test_every_formula_start_is_neutralised_in_any_cell_of_a_csv_line(start, position, quoted):
    """The CSV writer looks for formulas once per line, not per cell: every start character, in
    the first, a middle and the last cell, plain or quoted (a comma makes the cell quoted)."""
    from reports.exports import csv_response

    cell = start + "SUM(A1:A9)" + (", 1" if quoted else "")
    row = ["Nguyễn Văn A", 42, "", "kết thúc"]
    row[position] = cell
    response = csv_response(
        "x", ["a", "b", "c", "d"], [row, ["an", 1, datetime.date(2026, 11, 29), ""]], lambda count: None
    )

    written = csv_rows(response)

    assert written[1][position] == "'" + cell
    assert written[2] == ["an", "1", "2026-11-29", ""]  # a plain line as it was given
