"""The completion records are paged by cursor (first, previous, next, last): every row is on
exactly one page, in the export's order; a stale or forged cursor gives the first page and a
notice; and a page costs the same queries however many rows there are."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from courses import services as course_services
from reports.rows import CompletionRows, Cursor
from reports.viewsets import CompletionRecordsView
from tests.accounts.factories import UserFactory
from tests.courses.factories import CoursePageFactory, ModulePageFactory

pytestmark = pytest.mark.django_db

URL = "/admin/reports/completion-records/"


@pytest.fixture
def more_records(records, course, unit_tree):
    """Beside `records`: a second course assigned to the ward, two learners of the ward in it (one
    a module in), and three more learners of the ward who have started nothing."""
    from courses import assignments

    second = CoursePageFactory(parent=course["catalogue"], title="Khóa học thứ hai", modules_in_order=False)
    lesson = ModulePageFactory(parent=second, title="Bài đọc")
    assignments.assign(second, [unit_tree["HN-P-HK"]], timezone.localdate() + datetime.timedelta(10), None)
    for number in range(2):
        learner = UserFactory(full_name=f"Học viên khóa hai {number}", unit=unit_tree["HN-P-HK-CA"])
        course_services.enrol(learner, second)
        if number:
            course_services.mark_module_done(learner, lesson, second)
    for number in range(3):
        UserFactory(full_name=f"Người mới {number}", unit=unit_tree["HN-P-HK-TYT"])
    return second


def every_page(rows, size, backwards=False):
    """The rows of each page, following next from the first page (or previous from the last)."""
    pages = [rows.page(size, last=True) if backwards else rows.page(size)]
    while pages[-1].has_previous if backwards else pages[-1].has_next:
        cursor = pages[-1].first if backwards else pages[-1].last
        pages.append(rows.page(size, before=cursor) if backwards else rows.page(size, after=cursor))
    return pages[::-1] if backwards else pages


@pytest.mark.parametrize("status", [None, "not_started", "in_progress", "completed", "overdue"])
def test_every_row_is_on_one_page_in_the_exports_order_forwards_and_backwards(unit_tree, more_records, status):
    administrator = UserFactory(roles=["Administrators"])
    rows = CompletionRows(administrator, status=status)
    exported = [row.full_name + row.course for row in rows]

    for size in (1, 2, 3, 50):
        forwards = every_page(rows, size)
        backwards = every_page(rows, size, backwards=True)
        assert [row.full_name + row.course for page in forwards for row in page.rows] == exported
        assert [row.full_name + row.course for page in backwards for row in page.rows] == exported
        assert all(len(page.rows) == size for page in forwards[:-1])
        assert all(len(page.rows) == size for page in backwards[1:])


def test_a_manager_follows_the_links_through_the_pages(staff_client, unit_tree, more_records, monkeypatch):
    monkeypatch.setattr(CompletionRecordsView, "paginate_by", 3)
    client = staff_client("Managers")
    from tests.accounts.factories import ManagerScopeFactory

    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])
    expected = [row.full_name for row in CompletionRows(client.user)]
    assert len(expected) > 6  # three pages at least

    html = client.get(URL).content.decode()
    assert "Trang trước" in html and "Trang sau" in html  # the links, in Vietnamese
    assert not link(html, "Trang đầu") and not link(html, "Trang trước")
    seen = names_on(html, expected)
    while next_url := link(html, "Trang sau"):
        html = client.get(next_url).content.decode()
        seen += names_on(html, expected)
    assert seen == expected and not link(html, "Trang cuối")

    last_page_starts = len(expected) - (len(expected) % 3 or 3)
    html = client.get(link(html, "Trang trước")).content.decode()
    assert names_on(html, expected) == expected[last_page_starts - 3 : last_page_starts]
    html = client.get(link(html, "Trang đầu")).content.decode()
    assert names_on(html, expected) == expected[:3]
    html = client.get(link(html, "Trang cuối")).content.decode()
    assert names_on(html, expected) == expected[-3:]


def link(html, label):
    """The href of the records' page link labelled `label`, or None when it is not a link."""
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    for attributes, text in re.findall(r"<a([^>]*)>(.*?)</a>", nav[0] if nav else "", re.S):
        if label in text:
            href = re.search(r'href="([^"]*)"', attributes)
            return href[1].replace("&amp;", "&") if href else None
    return None


def results_table(html):
    """The records' table (the admin page has others: the keyboard shortcuts)."""
    start = html.index('<table class="listing')
    return html[start : html.index("</table>", start)]


def names_on(html, names):
    """The names among `names` in the table, in the order shown (each learner at most once a row)."""
    table = results_table(html)
    return [cell for cell in re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", table) if cell in names]


@pytest.mark.parametrize(
    "query",
    [
        {"after": "junk"},
        {"before": "e-"},
        {"after": "c999999-1"},  # a course that is not one of these rows' parts
        {"before": "e-99999999999999999999"},  # too long for an id
        {"after": "e--1"},
    ],
)
def test_a_cursor_that_is_not_one_gives_the_first_page_and_a_notice(staff_client, unit_tree, records, query):
    client = staff_client("Administrators")

    response = client.get(URL, query)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Trang hồ sơ đó không còn nữa: đây là trang đầu." in html
    assert "Nguyễn Văn Xong" in html


def test_a_cursor_parses_only_what_it_writes():
    assert Cursor.parse(str(Cursor("c12", 345))) == Cursor("c12", 345)
    assert Cursor.parse("e-7") == Cursor("e", 7)
    for junk in ("", "e7", "x-1", "e-1-2", "c-1", "e-१", " e-1", "e-1\n"):
        assert Cursor.parse(junk) is None, junk


def test_more_rows_never_cost_a_page_more_queries(staff_client, unit_tree, more_records, django_assert_max_num_queries):
    """A page reads each part with LIMIT until it has its rows: with few rows it reads every part
    (the most queries), with many it stops sooner. No count, no query per row."""
    client = staff_client("Administrators")
    client.get(URL)  # the session and the menu, as on any later request
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"last": "1"}).status_code == 200
    assert len(few) <= 30, [query["sql"] for query in few]

    for _number in range(120):
        course_services.enrol(UserFactory(unit=unit_tree["HN-P-HK-CA"]), more_records)
    middle = CompletionRows(client.user).page(50, after=CompletionRows(client.user).page(50).last).last
    for query in ({}, {"after": str(middle)}, {"before": str(middle)}, {"last": "1"}):
        with django_assert_max_num_queries(len(few)):
            html = client.get(URL, query).content.decode()
        table = results_table(html)
        assert table[table.index("<tbody") :].count("<tr") == 50
