"""Spreadsheet exports that are safe to open and stream whatever their size.

A cell a spreadsheet would read as a formula (=, +, -, @, a tab or a carriage return first) gets a
leading apostrophe. CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly.
CSV is written row by row to the response; XLSX with openpyxl's write-only workbook into a
temporary file that is then streamed, so neither grows in memory with the number of rows.
"""

import csv
import datetime
import functools
import tempfile
import zoneinfo

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse


@functools.cache
def site_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """The value as a spreadsheet cell: text that starts like a formula stays text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        return value.astimezone(site_zone()).strftime("%Y-%m-%d %H:%M")  # Asia/Ho_Chi_Minh
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
            lines.append(writer.writerow([neutralise(value) for value in row]))
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
        sheet.append([neutralise(value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(output)
    output.seek(0)
    on_finished(count)
    response = FileResponse(output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
