"""Dates one way (cms.dates): prose "ngày 5 tháng 3 năm 2026", tables "05/03/2026", exports ISO 8601,
in the site's time zone; and every place a learner or a manager reads a date follows it."""

import csv
import datetime
import io
import re

from django.core import mail
from django.template import Context, Template
from django.utils import timezone, translation

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import ExportLog
from certificates import services
from certificates.models import Certificate
from cms.dates import export_date, prose_date, table_date
from courses import assignments
from courses.models import Assignment, Completion, Enrolment
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.courses.factories import complete_course

UTC = datetime.UTC
DAY = datetime.date(2026, 3, 5)
# 23:30 on the 4th in London is 06:30 on the 5th in Hanoi (UTC+7).
LATE_ON_THE_4TH_UTC = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=UTC)


def prose_vi(day):
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


# The three functions


@pytest.mark.parametrize(
    ("language", "prose"), [("vi", "ngày 5 tháng 3 năm 2026"), ("en", "5 March 2026")], ids=["vi", "en"]
)
def test_a_date_reads_one_way_per_context_in_each_language(language, prose):
    with translation.override(language):
        assert prose_date(DAY) == prose
        assert table_date(DAY) == "05/03/2026"
        assert export_date(DAY) == "2026-03-05"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_aware_moment_is_read_on_the_site_clock(language):
    with translation.override(language):
        assert table_date(LATE_ON_THE_4TH_UTC) == "05/03/2026"
        assert prose_date(LATE_ON_THE_4TH_UTC) == {"vi": "ngày 5 tháng 3 năm 2026", "en": "5 March 2026"}[language]
        assert export_date(LATE_ON_THE_4TH_UTC) == "2026-03-05T06:30:00+07:00"


@pytest.mark.parametrize(
    ("moment", "day", "iso"),
    [
        (datetime.datetime(2026, 3, 4, 16, 59, 59, tzinfo=UTC), "04/03/2026", "2026-03-04T23:59:59+07:00"),
        (datetime.datetime(2026, 3, 4, 17, 0, 0, tzinfo=UTC), "05/03/2026", "2026-03-05T00:00:00+07:00"),
    ],
    ids=["a second before Hanoi's midnight", "Hanoi's midnight"],
)
def test_the_day_turns_at_midnight_in_hanoi_not_in_utc(moment, day, iso):
    assert table_date(moment) == day
    assert export_date(moment) == iso


def test_the_site_clock_holds_whatever_time_zone_a_request_activated():
    with timezone.override("America/New_York"):
        assert table_date(LATE_ON_THE_4TH_UTC) == "05/03/2026"
        assert export_date(LATE_ON_THE_4TH_UTC) == "2026-03-05T06:30:00+07:00"


def test_a_naive_moment_is_taken_as_the_site_clock_already():
    naive = datetime.datetime(2026, 3, 5, 14, 30)
    with translation.override("vi"):
        assert prose_date(naive) == "ngày 5 tháng 3 năm 2026"
    assert table_date(naive) == "05/03/2026"
    assert export_date(naive) == "2026-03-05T14:30:00+07:00"


@pytest.mark.parametrize("missing", [None, ""])
@pytest.mark.parametrize("format_date", [prose_date, table_date, export_date])
def test_a_missing_date_is_empty(format_date, missing):
    assert format_date(missing) == ""


@pytest.mark.parametrize("format_date", [prose_date, table_date, export_date])
def test_something_else_than_a_date_is_refused(format_date):
    with pytest.raises(TypeError):
        format_date("2026-03-05")


def test_the_template_filters_are_the_functions_and_never_break_a_page():
    template = Template(
        "{% load dates %}{{ day|prose_date }}|{{ day|table_date }}|{{ day|export_date }}|{{ junk|table_date }}"
    )
    with translation.override("vi"):
        rendered = template.render(Context({"day": LATE_ON_THE_4TH_UTC, "junk": "tomorrow"}))
    assert rendered == "ngày 5 tháng 3 năm 2026|05/03/2026|2026-03-05T06:30:00+07:00|"


# The places


def manager_of(staff_client, unit_tree, code, *roles):
    client = staff_client("Managers", *roles)
    ManagerScopeFactory(user=client.user, unit=unit_tree[code])
    return client


@pytest.fixture
def finished(course, unit_tree, django_capture_on_commit_callbacks):
    """A ward police officer whose course was assigned to the ward (due on 5 March 2031), finished
    at 23:30 UTC on 4 March 2026 (the 5th in Hanoi), with a certificate valid 24 months."""
    course["course"].certificate_validity_months = 24
    course["course"].save()
    assignments.assign(course["course"], [unit_tree["HN-P-HK"]], datetime.date(2031, 3, 5), None)
    learner = UserFactory(full_name="Nguyễn Thị Hằng", unit=unit_tree["HN-P-HK-CA"], email="hang@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    Enrolment.objects.filter(user=learner).update(completed_at=LATE_ON_THE_4TH_UTC)
    return learner


@pytest.mark.django_db
def test_the_learners_page_shows_due_and_completion_dates_as_a_table_does(client, finished):
    certificate = Certificate.objects.get(user=finished)
    completed_on = Completion.objects.get(user=finished).completed_on
    client.force_login(finished)

    html = client.get("/my/").content.decode()

    assert "Hạn 05/03/2031" in html
    assert f"Hoàn thành {completed_on:%d/%m/%Y}" in html
    assert f"cấp ngày {certificate.issued_on:%d/%m/%Y}" in html
    assert f"có giá trị đến ngày {certificate.expires_on:%d/%m/%Y}" in html


@pytest.mark.django_db
def test_assignment_mails_write_the_due_date_as_prose(course, unit_tree):
    assignments.assign(course["course"], [unit_tree["HN-P-HK-CA"]], datetime.date(2031, 3, 5), None)
    UserFactory(unit=unit_tree["HN-P-HK-CA"], email="ca@example.org")

    with translation.override("en"):  # reminders go out in Vietnamese whatever the sender's language
        assignments.send_reminders(today=datetime.date(2031, 2, 26))
        assignments.send_reminders(today=datetime.date(2031, 3, 6))

    due_soon, overdue = mail.outbox
    assert "trước ngày 5 tháng 3 năm 2031." in due_soon.body
    assert "đã đến hạn ngày 5 tháng 3 năm 2031 nhưng bạn chưa hoàn thành." in overdue.body
    assert "05/03/2031" not in due_soon.body + overdue.body


@pytest.mark.django_db
def test_the_certificate_and_its_mail_write_dates_as_prose(finished):
    certificate = Certificate.objects.get(user=finished)
    with certificate.pdf.open("rb") as file:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)
    text = " ".join(text.split())  # the PDF's lines break where the layout does

    assert f"hoàn thành {prose_vi(certificate.completed_on)}" in text
    assert f"có giá trị đến {prose_vi(certificate.expires_on)}" in text
    assert f"Hà Nội, {prose_vi(certificate.issued_on)}" in text
    assert not re.search(r"\d{2}/\d{2}/\d{4}", text)
    [issued_mail] = mail.outbox
    assert f"Giấy chứng nhận có giá trị đến {prose_vi(certificate.expires_on)}." in issued_mail.body


@pytest.mark.django_db
def test_the_public_verification_lists_dates_as_a_table_does(client, finished):
    certificate = Certificate.objects.get(user=finished)

    html = client.get(f"/verify/{certificate.code}/").content.decode()

    assert f"<dd>{certificate.issued_on:%d/%m/%Y}</dd>" in html
    assert f"<dd>{certificate.expires_on:%d/%m/%Y}</dd>" in html

    services.revoke(certificate, "Cấp nhầm.", None)
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert f"Thu hồi {prose_vi(timezone.localdate())}." in html  # a sentence: prose


REPORT = "/admin/reports/completion-records/"


@pytest.mark.django_db
def test_exports_write_iso_dates_and_moments_with_the_offset(staff_client, unit_tree, finished):
    Enrolment.objects.filter(user=finished).update(started_at=datetime.datetime(2026, 3, 1, 2, 5, tzinfo=UTC))
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    content = b"".join(client.get(REPORT, {"export": "csv"}).streaming_content).decode("utf-8")
    [headings, row] = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    sheet = load_workbook(io.BytesIO(b"".join(client.get(REPORT, {"export": "xlsx"}).streaming_content))).active
    [xlsx_row] = list(sheet.iter_rows(min_row=2, values_only=True))

    expected = {
        "Hạn hoàn thành": "2031-03-05",
        "Ngày đăng ký": "2026-03-01T09:05:00+07:00",
        "Đã hoàn thành": "2026-03-05T06:30:00+07:00",
    }
    for heading, value in expected.items():
        assert row[headings.index(heading)] == value
        assert xlsx_row[headings.index(heading)] == value


@pytest.mark.django_db
def test_the_report_table_shows_dates_as_a_table_does(staff_client, unit_tree, finished):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    html = client.get(REPORT).content.decode()

    assert "05/03/2031" in html  # due
    assert "05/03/2026" in html  # completed: the 5th in Hanoi, though the 4th in UTC
    assert "2026-03-05" not in html


RELATIVE = re.compile(r"Just now|Vừa xong|ago|trước|hôm qua|ngày mai", re.IGNORECASE)


def cells(html):
    """The text of the list's table cells (not the page around them, whose menus say other things)."""
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


@pytest.mark.django_db
def test_the_admin_lists_never_show_a_due_or_issue_date_relative_to_now(staff_client, unit_tree, finished, course):
    today = timezone.localdate()
    Assignment.objects.update(due_on=today)  # Wagtail's DateColumn said "Just now" for it
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    for language in ("vi", "en"):
        client.cookies["language"] = language
        assignment_cells = cells(client.get("/admin/assignments/").content.decode())
        certificate_cells = cells(client.get("/admin/certificates/").content.decode())

        assert f"{today:%d/%m/%Y}" in assignment_cells
        assert f"{today:%d/%m/%Y}" in certificate_cells  # issued today
        assert not [cell for cell in assignment_cells + certificate_cells if RELATIVE.search(cell)]

    certificate = Certificate.objects.get()
    inspected = client.get(f"/admin/certificates/inspect/{certificate.pk}/").content.decode()
    assert f"{certificate.expires_on:%d/%m/%Y}" in inspected and f"{certificate.issued_on:%d/%m/%Y}" in inspected


@pytest.mark.django_db
def test_the_export_log_lists_moments_in_iso_8601(staff_client):
    client = staff_client("Administrators")
    log = ExportLog.objects.create(user=client.user, report="completion_records", export_format="csv", filters={})
    ExportLog.objects.filter(pk=log.pk).update(created_at=LATE_ON_THE_4TH_UTC)

    listed = cells(client.get("/admin/export_log/").content.decode())
    inspected = client.get(f"/admin/export_log/inspect/{log.pk}/").content.decode()

    assert any(cell.startswith("2026-03-05T06:30:00+07:00 ") for cell in listed)  # its link, then buttons
    assert "2026-03-05T06:30:00+07:00" in inspected and "2026-03-04" not in inspected
