"""Reports, the unit summary, the dashboard panel and exports read their rows from the standby; the
export log, the user's scopes and the page around the rows come from the primary. The standby is a
second connection to the test database (tests/conftest.py: replica)."""

import csv
import io

from django.db import connections
from django.test.utils import CaptureQueriesContext

import pytest

from audit.models import ExportLog
from tests.conftest import REPLICA_TESTS
from tests.reports.test_lag_notice import NOTICE_VI
from tests.reports.test_reports import URL, csv_rows, manager_of

pytestmark = [REPLICA_TESTS, pytest.mark.usefixtures("records")]

SUMMARY_URL = "/admin/reports/unit-summary/"


def tables(queries):
    return " ".join(query["sql"] for query in queries)


def read_where(request):
    """The SQL each database ran while `request()` ran (and its body, if streamed, was read)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as standby,
    ):
        response = request()
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, tables(primary.captured_queries), tables(standby.captured_queries)


@pytest.mark.parametrize("url", [URL, SUMMARY_URL, "/admin/"])
def test_report_pages_read_their_rows_from_the_standby(replica, staff_client, unit_tree, url):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    response, body, primary, standby = read_where(lambda: client.get(url))

    assert response.status_code == 200
    # The summary's rows are the figures counted ahead of time (reports.unit_figures).
    rows = ['"reports_unitcourseactivity"'] if url == SUMMARY_URL else ['"courses_enrolment"', '"courses_completion"']
    assert any(table in standby for table in rows)
    assert not any(table in primary for table in rows)
    assert '"courses_enrolment"' not in primary and '"courses_completion"' not in primary
    # Who may see what is read where it is current: the manager's scopes and roles.
    assert '"accounts_managerscope"' in primary and '"accounts_managerscope"' not in standby
    assert '"django_session"' not in standby


def test_a_streamed_export_reads_the_standby_as_it_is_sent_and_logs_on_the_primary(replica, staff_client, unit_tree):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    response, body, primary, standby = read_where(lambda: client.get(URL, {"export": "csv"}))

    assert response.status_code == 200 and response.streaming
    rows = list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))
    assert {row[0] for row in rows[1:]} == {"Nguyễn Văn Xong", "Trần Thị Dở", "Lê Văn Chưa"}
    assert '"courses_enrolment"' in standby and '"courses_enrolment"' not in primary
    assert '"audit_exportlog"' in primary and '"audit_exportlog"' not in standby
    log = ExportLog.objects.using("default").get()
    assert (log.user, log.report, log.row_count) == (client.user, "completion_records", 3)


def test_an_xlsx_export_reads_the_standby_too(replica, staff_client, unit_tree):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    response, body, primary, standby = read_where(lambda: client.get(URL, {"export": "xlsx"}))

    assert response.status_code == 200
    assert '"courses_enrolment"' in standby and '"courses_enrolment"' not in primary
    assert ExportLog.objects.using("default").get().row_count == 3


def test_reports_answer_from_the_primary_while_the_standby_is_unreachable(unreachable_replica, staff_client, unit_tree):
    client = manager_of(staff_client, unit_tree, "HN-P-HK")

    page = client.get(URL)
    export = client.get(URL, {"export": "csv"})

    assert page.status_code == 200 and "Nguyễn Văn Xong" in page.content.decode()
    assert len(csv_rows(export)) == 4


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="only PostgreSQL says how far behind")
@pytest.mark.parametrize("url", [URL, SUMMARY_URL, "/admin/"])
def test_the_report_pages_show_the_notice_only_when_the_standby_is_behind(
    replica, staff_client, unit_tree, settings, url
):
    # The mirror is never behind (0 s): a threshold below it stands for a standby that is.
    client = manager_of(staff_client, unit_tree, "HN-P-HK")
    shown = client.get(url).content.decode()
    settings.REPLICA_LAG_WARNING_SECONDS = -1

    behind = client.get(url).content.decode()

    assert NOTICE_VI.format(1) not in shown
    assert NOTICE_VI.format(1) in behind
