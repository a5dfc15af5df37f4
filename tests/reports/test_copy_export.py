"""The completion records' CSV written by PostgreSQL (reports.copy_export) is, byte for byte, the one
the Python writer (reports.exports.csv_response, which SQLite keeps) writes from the same rows: for
every hard case of a cell, every filter, every certificate state, a manager's scope and both
languages. Either path changed alone fails here."""

import datetime
import io
import itertools
import zipfile

from django.db import connection
from django.utils import timezone, translation

import pytest
from openpyxl import load_workbook

from accounts.models import User
from certificates.models import Certificate
from courses.figures import recompute_figures
from courses.models import Enrolment, ModuleProgress
from reports import exports, xlsx
from reports.copy_export import completion_csv, completion_xlsx
from reports.exports import _FORMULA_SIGNS, _HIDING_CHARACTERS
from reports.rows import HEADINGS, CompletionRows
from reports.viewsets import CompletionRecordsView
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.certificates.factories import CertificateFactory
from tests.courses.factories import AssignmentFactory, CompletionFactory, CoursePageFactory, ModulePageFactory
from tests.reports.test_reports import URL, csv_rows, manager_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]


def _characters(ranges):
    """The characters of a regular expression's bracket contents ("a-c" is a, b and c)."""
    characters, index = [], 0
    while index < len(ranges):
        if index + 2 < len(ranges) and ranges[index + 1] == "-":
            characters += [chr(code) for code in range(ord(ranges[index]), ord(ranges[index + 2]) + 1)]
            index += 3
        else:
            characters.append(ranges[index])
            index += 1
    return characters


SIGNS = _characters(_FORMULA_SIGNS)
HIDING = _characters(_HIDING_CHARACTERS)
# Every sign, bare and behind a blank; every blank or invisible character hiding "=".
FORMULA_STARTS = [sign + "1+1" for sign in SIGNS] + [
    blank + sign + "SUM(A1)" for blank, sign in zip(itertools.cycle(HIDING), SIGNS, strict=False)
]
FORMULA_STARTS += [blank * 2 + "=HYPERLINK(A1)" for blank in HIDING]
# Text that must come out as it is (quoted where CSV needs it).
PLAIN = [
    "Nguyễn Văn A",
    'Lê "Bé", Văn B',
    "dòng một\ndòng hai",
    "cr\rinside",
    "crlf\r\ninside",
    "a=b",
    "12",
    " leading space",
    "trailing comma,",
    "Đặng Thị Ư ơ",
    "\\.",
    "A & B <c> d",
    "#N/A",
    "Lê\x1b Văn\ufffe",
    "trailing space ",
    "\x07",
    "tab\tinside",
    "\\",
]


def python_and_copy_xlsx(rows):
    """The XLSX of the rows as the Python writer writes it, and as COPY writes it; their row counts."""
    headings = [str(heading) for heading in HEADINGS]
    counts = []
    values = (CompletionRecordsView.export_values(row) for row in rows)
    python = b"".join(xlsx.xlsx_response("x", headings, values, counts.append).streaming_content)
    sheet_rows = completion_xlsx(rows)
    copied = xlsx.written_xlsx_response("x", headings, iter(sheet_rows), lambda: sheet_rows.row_count, counts.append)
    return python, b"".join(copied.streaming_content), counts


def sheet_xml(workbook):
    return zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml").decode()


def python_and_copy(rows):
    """The CSV of the rows as the Python writer writes it, and as COPY writes it; their row counts."""
    headings = [str(heading) for heading in HEADINGS]
    counts = []
    python = exports.csv_response(
        "x", headings, (CompletionRecordsView.export_values(row) for row in rows), counts.append
    )
    python_bytes = b"".join(python.streaming_content)
    lines = completion_csv(rows)
    copied = exports.written_csv_response("x", headings, iter(lines), lambda: lines.row_count, counts.append)
    copied_bytes = b"".join(copied.streaming_content)
    return python_bytes, copied_bytes, counts


@pytest.fixture
def hard_cases(unit_tree, course):
    """Learners whose every text field holds a hard case, in the ward and the commune, with two
    courses (one of eight modules, for progress at a half), enrolments at every stage, certificates in
    every state, assigned learners who have not started, and a learner without a unit."""
    today = timezone.localdate()
    ward, health, police, commune = (unit_tree[code] for code in ("HN-P-HK", "HN-P-HK-TYT", "HN-P-HK-CA", "HN-X-SS"))
    health.name = '=Trạm "Y tế", phường'  # a label that starts like a formula, with a quote and a comma
    health.save()
    three = course["course"]
    eight = CoursePageFactory(
        parent=course["catalogue"], title='+Khóa "tám", mô-đun\nmới', area=3, hours="1.5", slug="tam"
    )
    eight_modules = [ModulePageFactory(parent=eight, title=f"Phần {n}", slug=f"phan-{n}") for n in range(8)]
    three_modules = [course[key] for key in ("lesson", "quiz_one", "quiz_two")]
    AssignmentFactory(course=three, unit=ward, due_on=today + datetime.timedelta(10))
    AssignmentFactory(course=eight, unit=ward, due_on=today - datetime.timedelta(3))  # overdue
    AssignmentFactory(course=eight, unit=health, due_on=today - datetime.timedelta(30))  # the earlier one wins
    AssignmentFactory(course=three, unit=commune, due_on=today + datetime.timedelta(1))

    texts = FORMULA_STARTS + PLAIN
    units = itertools.cycle([health, police, commune, ward])
    categories = itertools.cycle([*User.StaffCategory.values, ""])
    learners = []
    for n, (name, position) in enumerate(itertools.zip_longest(texts[::2], texts[1::2], fillvalue="")):
        learners.append(
            UserFactory(
                full_name=name,
                position=position,
                email=f"{'=' if n % 7 == 0 else ''}hv{n}@example.org",
                unit=next(units),
                staff_category=next(categories),
            )
        )
    UserFactory(full_name="Không đơn vị", unit=None)
    UserFactory(full_name="Đã nghỉ", unit=police, is_active=False)  # not expected to start

    def progress(learner, course_page, modules, done, **fields):
        enrolment = Enrolment.objects.create(user=learner, course=course_page, **fields)
        ModuleProgress.objects.bulk_create(ModuleProgress(enrolment=enrolment, module=m) for m in modules[:done])
        recompute_figures(Enrolment.objects.filter(pk=enrolment.pk))  # as the services keep them
        return enrolment

    # Progress at a half: 1, 3 and 5 of 8 (12.5, 37.5, 62.5: 12, 38, 62), 4 of 8, none; 1 and 2 of 3.
    for learner, done in zip(learners[:5], (1, 3, 5, 4, 0), strict=True):
        progress(learner, eight, eight_modules, done, source=Enrolment.Source.ASSIGNMENT)
    progress(learners[5], three, three_modules, 1)
    progress(learners[6], three, three_modules, 2)
    # A moment late in the UTC day is the next day in Hanoi.
    late = datetime.datetime(2026, 3, 4, 23, 30, 59, tzinfo=datetime.UTC)
    states = ["valid", "expired", "revoked", "replaced", "none", "no expiry", "valid", "none"]
    completions = []
    for learner, state in zip(learners[7:], states, strict=False):
        completion = CompletionFactory(user=learner, course=three, score=None if state == "none" else 85)
        Enrolment.objects.filter(pk=completion.enrolment_id).update(
            completed_at=late, started_at=late - datetime.timedelta(days=40, minutes=7)
        )
        if state != "none":
            certificate = CertificateFactory(completion=completion)
            changes = {
                "expired": {"expires_on": today - datetime.timedelta(1)},
                "revoked": {"status": Certificate.Status.REVOKED},
                "replaced": {"status": Certificate.Status.REPLACED},
                "no expiry": {"expires_on": None},
            }.get(state, {"expires_on": today + datetime.timedelta(1)})
            Certificate.objects.filter(pk=certificate.pk).update(**changes)
        completions.append(completion)
    # A renewed course: the old enrolment is superseded, the new one is in progress.
    Enrolment.objects.filter(pk=completions[0].enrolment_id).update(superseded=True)
    progress(learners[7], three, three_modules, 2)
    return {"three": three, "eight": eight, "learners": learners, "late": late}


def filter_sets(unit_tree, hard_cases):
    today = timezone.localdate()
    return [
        {},
        {"unit": unit_tree["HN-P-HK"]},
        {"unit": unit_tree["HN-P-HK-TYT"]},
        {"course": hard_cases["eight"]},
        {"area": 1},
        {"area": 3},
        *({"status": status} for status in ("not_started", "in_progress", "completed", "overdue")),
        {"completed_from": datetime.date(2026, 3, 5)},
        {"completed_from": datetime.date(2026, 3, 6)},
        {"completed_to": datetime.date(2026, 3, 4)},
        {"completed_from": datetime.date(2026, 3, 1), "completed_to": today},
        *({"staff_category": category} for category in User.StaffCategory.values),
        {"unit": unit_tree["HN-P-HK"], "status": "overdue", "course": hard_cases["eight"]},
    ]


def test_copy_writes_the_bytes_the_python_writer_writes_for_every_filter(unit_tree, hard_cases):
    administrator = UserFactory(roles=["Administrators"])

    for filters in filter_sets(unit_tree, hard_cases):
        python, copied, counts = python_and_copy(CompletionRows(administrator, **filters))

        assert copied == python, filters
        assert counts[0] == counts[1] == len(csv_rows_of(python)) - 1, filters

    everything = python_and_copy(CompletionRows(administrator))[0].decode()
    # The cases are all there, so the comparison above compared them.
    assert "'=1+1" in everything and "'\u3000\u3000=HYPERLINK(A1)" in everything
    assert '"\'+Khóa ""tám"", mô-đun\nmới"' in everything  # a label neutralised, quoted
    assert '"cr\rinside"' in everything and '"Lê ""Bé"", Văn B"' in everything
    assert "2026-01-24T06:23:00+07:00,100,2026-03-05T06:30:00+07:00,85,2.0," in everything
    assert "\r\n" not in everything.replace("crlf\r\ninside", "")  # one line end: "\n"


def test_copy_writes_the_xlsx_the_python_writer_writes_for_every_filter(unit_tree, hard_cases):
    administrator = UserFactory(roles=["Administrators"])

    for filters in filter_sets(unit_tree, hard_cases):
        python, copied, counts = python_and_copy_xlsx(CompletionRows(administrator, **filters))

        assert sheet_xml(copied) == sheet_xml(python), filters  # the rows, where a difference shows
        assert copied == python, filters
        assert counts[0] == counts[1] == sheet_xml(python).count("<row ") - 1, filters

    everything = python_and_copy_xlsx(CompletionRows(administrator))[0]
    sheet = load_workbook(io.BytesIO(everything)).active
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None}
    # The hard cases are there, so the comparison above compared them, and read back as written.
    assert cells["A & B <c> d"].data_type == "s" and not cells["A & B <c> d"].quotePrefix
    assert cells["#N/A"].quotePrefix and cells["'=1+1"[1:]].quotePrefix
    assert "Lê Văn" in cells and "tab\tinside" in cells and "trailing space " in cells and "\\" in cells
    assert "cr\ninside" in cells and "crlf\n\ninside" in cells  # XML reads a carriage return as a line feed
    assert "\x07" not in cells  # nothing left of it: no cell
    assert {cells[85].data_type, cells[1.5].data_type, cells[12].data_type} == {"n"}
    assert cells["2026-01-24T06:23:00+07:00"].data_type == "s"


def test_progress_at_a_half_rounds_to_even_and_every_certificate_state_is_named(unit_tree, hard_cases):
    administrator = UserFactory(roles=["Administrators"])
    rows = CompletionRows(administrator, course=hard_cases["eight"], status="in_progress")

    python, copied, _counts = python_and_copy(rows)

    written = csv_rows_of(copied)
    assert sorted(row[10] for row in written[1:]) == ["0", "12", "38", "50", "62"]
    assert copied == python
    states = [row[15] for row in csv_rows_of(python_and_copy(CompletionRows(administrator, status="completed"))[1])]
    assert {"Còn hiệu lực", "Hết hạn", "Đã thu hồi"} <= set(states) and "" in states


def test_the_sql_progress_is_courses_services_progress_percent_for_every_share(db):
    from courses.services import progress_percent
    from reports.copy_export import progress_percent_sql

    expression = progress_percent_sql("done", "modules", "completed").replace("%%", "%")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT modules, done, completed IS NOT NULL, {expression}"  # noqa: S608 - the rule under test
            " FROM generate_series(0, 40) AS modules, generate_series(0, 40) AS done,"
            " (VALUES (NULL), (now())) AS finished(completed) WHERE done <= modules"
        )
        answers = cursor.fetchall()

    assert len(answers) > 1500
    assert [row for row in answers if row[3] != progress_percent(row[1], row[0], row[2])] == []


def test_a_ward_manager_gets_the_same_bytes_from_both_paths_and_only_the_ward(unit_tree, hard_cases):
    manager = UserFactory(roles=["Managers"])
    ManagerScopeFactory(user=manager, unit=unit_tree["HN-P-HK"])

    python, copied, counts = python_and_copy(CompletionRows(manager))

    assert copied == python and counts[0] == counts[1] > 0
    units = {row[2] for row in csv_rows_of(copied)[1:]}
    assert units and all("Phường Hoàn Kiếm" in unit for unit in units)


def test_in_english_both_paths_write_the_english_labels(unit_tree, hard_cases):
    administrator = UserFactory(roles=["Administrators"])

    with translation.override("en"):
        python, copied, _counts = python_and_copy(CompletionRows(administrator))

    assert copied == python
    assert b"Civil servant" in copied and b"Assigned" in copied and b"Valid" in copied


def test_the_report_exports_through_copy_and_logs_the_row_count(staff_client, unit_tree, hard_cases):
    from audit.models import ExportLog

    client = manager_of(staff_client, unit_tree, "HN")

    exported = b"".join(client.get(URL, {"export": "csv", "status": "in_progress"}).streaming_content)

    python, _copied, counts = python_and_copy(CompletionRows(client.user, status="in_progress"))
    assert exported == python
    assert ExportLog.objects.get().row_count == counts[0] == len(csv_rows_of(exported)) - 1


def csv_rows_of(content):
    class Response:
        streaming_content = [content]

    return csv_rows(Response())
