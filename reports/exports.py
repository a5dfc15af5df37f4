"""Spreadsheet exports that are safe to open and stream whatever their size.

A cell a spreadsheet would read as a formula (=, +, -, @, a tab or a carriage return first) gets a
leading apostrophe. CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly.
CSV is written row by row to the response; XLSX with openpyxl's write-only workbook into a
temporary file that is then streamed, so neither grows in memory with the number of rows.

Rows hold text, numbers, dates or None; times are formatted by the caller, in the site's time
zone (reports.rows.local_minute does it in the database).
"""

import csv
import datetime
import re
import tempfile

from django.http import FileResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A CSV line (with a comma put first) in which some cell, quoted or not, may start like a formula.
# One search of the line is cheaper than a look at each cell; a line that matches is written again
# cell by cell.
MAY_HOLD_A_FORMULA = re.compile(r',"?[=+\-@\t\r]')
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """The value as a spreadsheet cell: text that starts like a formula stays text."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        raise TypeError("format times in the site's time zone before exporting them")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def cells(values):
    return [neutralise(value) for value in values]


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
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Sheet1")
    sheet.append(headings)
    count = 0
    for row in rows:
        count += 1
        # Neutralised values never start with "=", so openpyxl writes none of them as a formula.
        sheet.append(cells(row))
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(output)
    output.seek(0)
    on_finished(count)
    response = FileResponse(output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
