"""Spreadsheet exports that are safe to open and stream whatever their size.

A cell a spreadsheet would read as a formula starts with =, +, -, @, a tab or a carriage return,
possibly after blank or invisible characters (spaces, an indentation, a no-break or ideographic space),
or with the full-width and small forms of those signs, which Asian input methods type and spreadsheets
may read as the sign itself. In CSV such a cell gets a leading apostrophe; in XLSX it is written as a
text cell (with Excel's hidden "quote prefix", so editing it keeps it text), its value unchanged.
CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly.
CSV is written row by row to the response; XLSX with openpyxl's write-only workbook into a
temporary file that is then streamed, so neither grows in memory with the number of rows.

Rows hold text, numbers, dates or None. Dates are written as ISO 8601 dates ("2026-03-05"), in CSV
and as XLSX text cells alike; moments are formatted by the caller with cms.dates.export_date
("2026-03-05T14:30:00+07:00"), the one rule for dates in exports.
"""

import csv
import datetime
import re
import tempfile

from django.http import FileResponse, StreamingHttpResponse

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from cms.dates import export_date

# Blank or invisible characters a formula may hide behind: Unicode whitespace but the tab and the
# carriage return (formula starts themselves), and the zero-width ones. One character class (not
# "\s" with exceptions), so the search of a whole CSV line stays about as fast as a plain one.
_HIDING = "[\n\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*+"
# = + - @, their full-width (＝＋－＠) and small (﹦﹢﹣﹫) forms, the minus sign, a tab, a carriage return.
_FORMULA_SIGN = "[=+\\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212\t\r]"
STARTS_LIKE_A_FORMULA = re.compile(_HIDING + _FORMULA_SIGN)
# A CSV line (with a comma put first) in which some cell, quoted or not, may start like a formula.
# One search of the line is cheaper than a look at each cell; a line that matches is written again
# cell by cell.
MAY_HOLD_A_FORMULA = re.compile(',"?' + _HIDING + _FORMULA_SIGN)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def starts_like_a_formula(text):
    return STARTS_LIKE_A_FORMULA.match(text) is not None


def neutralise(value):
    """The value as a CSV cell: text that starts like a formula gets an apostrophe to stay text."""
    if isinstance(value, str):
        return "'" + value if starts_like_a_formula(value) else value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        raise TypeError("format moments with cms.dates.export_date before exporting them")
    if isinstance(value, datetime.date):
        return export_date(value)
    return value


def cells(values):
    return [neutralise(value) for value in values]


def xlsx_cells(sheet, values):
    return [xlsx_cell(sheet, value) for value in values]


def xlsx_cell(sheet, value):
    """The value as an XLSX cell: text that starts like a formula (or reads as an error such as
    #N/A) becomes a text cell holding exactly that text; numbers stay numbers."""
    if not isinstance(value, str):
        return neutralise(value)
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    if not starts_like_a_formula(value) and value not in ERROR_CODES:
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # where openpyxl would write "=…" as a formula and "#N/A" as an error
    cell.quotePrefix = True  # Excel's own hidden mark of text typed with a leading apostrophe
    return cell


class _Line:
    def write(self, value):
        return value


def csv_response(filename, headings, rows, on_finished):
    """A streamed UTF-8 (with BOM) CSV; `on_finished(count)` runs once the last row is sent."""

    def stream():
        writer = csv.writer(_Line())
        yield "\ufeff" + writer.writerow(headings)
        count, lines = 0, []
        for row in rows:
            count += 1
            line = writer.writerow(row)  # None as "", a date as its ISO form: as neutralise writes them
            if MAY_HOLD_A_FORMULA.search("," + line, 0, len(line) - 1):  # not the line's own "\r\n"
                line = writer.writerow(cells(row))
            lines.append(line)
            if len(lines) == 500:  # a few hundred rows a chunk: fewer, larger writes
                yield "".join(lines)
                lines = []
        yield "".join(lines)
        on_finished(count)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(filename, headings, rows, on_finished):
    """An XLSX written row by row to a temporary file, then streamed from it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Sheet1")
    sheet.append(headings)
    count = 0
    for row in rows:
        count += 1
        sheet.append(xlsx_cells(sheet, row))
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(output)
    output.seek(0)
    on_finished(count)
    response = FileResponse(output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
