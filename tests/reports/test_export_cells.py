"""Exports stay data: a cell that would start a formula, however it hides its sign, is neutralised
(CSV: a leading apostrophe; XLSX: a text cell holding the text as it was)."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from courses import services as course_services
from reports.exports import csv_response
from reports.xlsx import xlsx_response
from tests.accounts.factories import ManagerScopeFactory, UserFactory
from tests.courses.factories import complete_course
from tests.reports.test_reports import csv_rows

STARTS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]
PREFIXES = {
    "none": "",
    "spaces": "    ",
    "tab indentation": "\t\t",
    "no-break space": "\u00a0",
    "ideographic space": "\u3000",
    "full-width spaces and a zero-width space": "\u3000\u3000\u200b",
}
POSITIONS = {"first": 0, "middle": 1, "last": 3}
HARMLESS = ["Nguyễn Văn A", "a=b", "Hà Nội - Sóc Sơn", "  Phường Hoàn Kiếm", "x, =y", "", "12"]


def a_row(cell, position):
    row = ["Nguyễn Văn A", 42, "", "kết thúc"]
    row[position] = cell
    return row


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
@pytest.mark.parametrize("position", POSITIONS.values(), ids=POSITIONS.keys())
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_hidden_formula_start_is_neutralised_in_csv(start, prefix, position, quoted):
    cell = prefix + start + "HYPERLINK(A1)" + (", 1" if quoted else "")
    row = a_row(cell, position)

    written = csv_rows(csv_response("x", ["a", "b", "c", "d"], [row, ["an", -1, "", ""]], lambda count: None))

    assert written[1][position] == "'" + cell
    assert [value for index, value in enumerate(written[1]) if index != position] == [
        str(value) for index, value in enumerate(row) if index != position
    ]
    assert written[2] == ["an", "-1", "", ""]  # a negative number is no text to neutralise


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
@pytest.mark.parametrize("position", POSITIONS.values(), ids=POSITIONS.keys())
def test_a_hidden_formula_start_is_a_text_cell_holding_the_text_in_xlsx(start, prefix, position):
    cell = prefix + start + "HYPERLINK(A1)"
    row = a_row(cell, position)

    sheet = xlsx_sheet(xlsx_response("x", ["a", "b", "c", "d"], [row], lambda count: None))

    written = sheet.cell(row=2, column=position + 1)
    # XML reads a carriage return as a line feed: the text is otherwise exactly as given.
    assert written.value == cell.replace("\r", "\n")
    assert written.data_type == "s" and isinstance(written.value, str)  # text, never a formula
    assert written.quotePrefix  # Excel's hidden mark: editing the cell keeps it text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_as_it_is(text):
    rows = [[text, 1]]

    written = csv_rows(csv_response("x", ["a", "b"], rows, lambda count: None))
    sheet = xlsx_sheet(xlsx_response("x", ["a", "b"], rows, lambda count: None))

    assert written[1] == [text, "1"]
    assert (sheet["A2"].value or "") == text and not sheet["A2"].quotePrefix


def test_numbers_stay_numbers_even_negative_and_dates_are_iso_text():
    rows = [["a", -3, -2.5, 0, datetime.date(2026, 11, 29), None]]

    sheet = xlsx_sheet(xlsx_response("x", list("abcdef"), rows, lambda count: None))

    assert [cell.value for cell in sheet[2]][1:5] == [-3, -2.5, 0, "2026-11-29"]
    assert [cell.data_type for cell in sheet[2]][1:4] == ["n", "n", "n"]


def test_xlsx_keeps_error_lookalikes_as_text_and_drops_characters_xml_cannot_hold():
    sheet = xlsx_sheet(xlsx_response("x", ["a", "b"], [["#N/A", "Lê\x00 Văn\x1b A"]], lambda count: None))

    assert sheet["A2"].value == "#N/A" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "Lê Văn A"


@pytest.mark.django_db
def test_the_unit_summary_neutralises_an_indented_unit_name(staff_client, unit_tree, course):
    ward = unit_tree["HN-P-HK-TYT"]
    ward.name = '=HYPERLINK("http://evil","Trạm")'
    ward.save()
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN"])
    url = "/admin/reports/unit-summary/"

    names = [row[0] for row in csv_rows(client.get(url, {"courses": "area-1", "export": "csv"}))]
    sheet = xlsx_sheet(client.get(url, {"courses": "area-1", "export": "xlsx"}))

    indented = "        " + ward.name  # two levels below the city, four spaces a level
    assert "'" + indented in names and indented not in names
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == indented)
    assert cell.data_type == "s"


@pytest.mark.django_db
def test_the_completion_records_neutralise_a_learner_name_behind_spaces(
    staff_client, unit_tree, course, django_capture_on_commit_callbacks
):
    name = '  =HYPERLINK("http://evil","Xem")'
    learner = UserFactory(full_name=name, unit=unit_tree["HN-P-HK-CA"])
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(learner, course)
    course_services.enrol(UserFactory(full_name="－1+1", unit=unit_tree["HN-P-HK-CA"]), course["course"])
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN-P-HK"])
    url = "/admin/reports/completion-records/"

    rows = csv_rows(client.get(url, {"export": "csv"}))[1:]
    sheet = xlsx_sheet(client.get(url, {"export": "xlsx"}))

    assert sorted(row[0] for row in rows) == ["'" + name, "'－1+1"]
    cells = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == {name, "－1+1"}
    assert all(cell.data_type == "s" for cell in cells.values())
    progress = sheet.cell(row=2, column=next(i for i, c in enumerate(sheet[1], 1) if c.value == "Tiến độ (%)"))
    assert progress.data_type == "n"


def test_every_unicode_blank_can_hide_a_formula_start():
    import re
    import sys

    from reports.exports import starts_like_a_formula

    blanks = [chr(code) for code in range(sys.maxunicode + 1) if re.match(r"\s", chr(code))]

    assert len(blanks) > 20
    assert [repr(blank) for blank in blanks if not starts_like_a_formula(blank * 3 + "=1")] == []
    assert not starts_like_a_formula("\u3000Hà Nội") and not starts_like_a_formula("a=1")


def test_csv_lines_end_with_a_line_feed_and_a_carriage_return_in_a_cell_is_quoted():
    # As PostgreSQL's COPY writes them (reports.copy_export), so both paths give the same bytes.
    response = csv_response("x", ["a", "b"], [["cr\rinside", "lf\ninside"], ["", None]], lambda count: None)

    content = b"".join(response.streaming_content).decode()

    assert content == '\ufeffa,b\n"cr\rinside","lf\ninside"\n,\n'


@pytest.mark.django_db
def test_the_xlsx_holds_the_cells_of_the_csv_with_their_types(staff_client, unit_tree, records, course):
    UserFactory(full_name="#N/A", position="=1+1", unit=unit_tree["HN-P-HK-CA"])
    course_services.enrol(UserFactory(full_name='Lê\x1b Văn, "B"', unit=unit_tree["HN-P-HK-CA"]), course["course"])
    client = staff_client("Managers")
    ManagerScopeFactory(user=client.user, unit=unit_tree["HN"])
    url = "/admin/reports/completion-records/"

    written = csv_rows(client.get(url, {"export": "csv"}))
    sheet = xlsx_sheet(client.get(url, {"export": "xlsx"}))

    cells = list(sheet.iter_rows())
    assert len(cells) == len(written) > 5
    numbers = {"Tiến độ (%)", "Điểm (%)", "Số giờ"}
    for csv_row, xlsx_row in zip(written[1:], cells[1:], strict=True):
        for heading, text, cell in zip(written[0], csv_row, xlsx_row, strict=False):
            if heading in numbers and text:
                assert cell.data_type == "n" and float(text) == cell.value, heading
            elif cell.quotePrefix:  # text a spreadsheet would read otherwise: the CSV's apostrophe
                assert cell.data_type == "s" and text in ("'" + cell.value, cell.value), heading
            else:
                assert (cell.value or "") == text.replace("\x1b", "") and cell.data_type in ("s", "n"), heading
    by_name = {row[0].value: row for row in cells[1:]}
    assert by_name["#N/A"][0].quotePrefix and by_name["#N/A"][3].value == "=1+1" and by_name["#N/A"][3].quotePrefix
    assert 'Lê Văn, "B"' in by_name
