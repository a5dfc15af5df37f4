"""Spreadsheet exports that are safe to open and stream whatever their size.

A cell a spreadsheet would read as a formula starts with =, +, -, @, a tab or a carriage return,
possibly after blank or invisible characters (spaces, an indentation, a no-break or ideographic space),
or with the full-width and small forms of those signs, which Asian input methods type and spreadsheets
may read as the sign itself. In CSV such a cell gets a leading apostrophe; in XLSX it is written as a
text cell (with Excel's hidden "quote prefix", so editing it keeps it text), its value unchanged.
CSV is UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly, its lines ended by "\n"
(as PostgreSQL's COPY ends them: the completion records' CSV is written by the database,
reports.copy_export, byte for byte as this module writes it). CSV is written row by row to the
response; XLSX with XlsxWriter's constant_memory mode into a temporary file that is then streamed,
so neither grows in memory with the number of rows.

Rows hold text, numbers, dates or None. Dates are written as ISO 8601 dates ("2026-03-05"), in CSV
and as XLSX text cells alike; moments are formatted by the caller with cms.dates.export_date
("2026-03-05T14:30:00+07:00"), the one rule for dates in exports.
"""

import csv
import datetime
import re

from django.http import StreamingHttpResponse

from cms.dates import export_date

# Blank or invisible characters a formula may hide behind: Unicode whitespace but the tab and the
# carriage return (formula starts themselves), and the zero-width ones. One character class (not
# "\s" with exceptions), so the search of a whole CSV line stays about as fast as a plain one.
_HIDING_CHARACTERS = "\n\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
# = + @, their full-width (＝＋＠) and small (﹦﹢﹫) forms, -, its full-width (－) and small (﹣)
# forms, the minus sign, a tab, a carriage return. "-" last: a literal in Python's and PostgreSQL's
# brackets alike.
_FORMULA_SIGNS = "=+@\uff1d\uff0b\uff20\ufe66\ufe62\ufe6b\uff0d\ufe63\u2212\t\r-"
_HIDING = f"[{_HIDING_CHARACTERS}]*+"
_FORMULA_SIGN = f"[{_FORMULA_SIGNS}]"
STARTS_LIKE_A_FORMULA = re.compile(_HIDING + _FORMULA_SIGN)
# The same test as a PostgreSQL regular expression, for the CSV PostgreSQL writes (reports.copy_export):
# its regular expressions have no possessive "*+", and need none to give the same answer.
FORMULA_START_SQL = f"^[{_HIDING_CHARACTERS}]*{_FORMULA_SIGN}"
# A CSV line (with a comma put first) in which some cell, quoted or not, may start like a formula.
# One search of the line is cheaper than a look at each cell; a line that matches is written again
# cell by cell.
MAY_HOLD_A_FORMULA = re.compile(',"?' + _HIDING + _FORMULA_SIGN)
# What Excel reads as an error value.
ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


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


class _Line:
    def write(self, value):
        return value


def _csv_writer():
    """Python's csv writer, with "\r\n" as its line end so that it quotes a cell holding a carriage
    return, as PostgreSQL's COPY does; `_line` ends the lines with "\n" as COPY does."""
    return csv.writer(_Line(), lineterminator="\r\n")


def _line(written):
    return written[:-2] + "\n"


def heading_line(headings):
    """The first line of a CSV: the byte-order mark (Excel then reads UTF-8) and the headings."""
    return "\ufeff" + _line(_csv_writer().writerow(headings))


def csv_response(filename, headings, rows, on_finished):
    """A streamed UTF-8 (with BOM) CSV; `on_finished(count)` runs once the last row is sent."""

    def stream():
        writer = _csv_writer()
        yield heading_line(headings)
        count, lines = 0, []
        for row in rows:
            count += 1
            line = writer.writerow(row)  # None as "", a date as its ISO form: as neutralise writes them
            if MAY_HOLD_A_FORMULA.search("," + line, 0, len(line) - 1):  # not the line's own "\r\n"
                line = writer.writerow(cells(row))
            lines.append(_line(line))
            if len(lines) == 500:  # a few hundred rows a chunk: fewer, larger writes
                yield "".join(lines)
                lines = []
        yield "".join(lines)
        on_finished(count)

    return _csv_stream(filename, stream())


def written_csv_response(filename, headings, chunks, row_count, on_finished):
    """A streamed CSV whose lines after the headings come written, as bytes (PostgreSQL's COPY:
    reports.copy_export); `on_finished(row_count())` runs once the last chunk is sent."""

    def stream():
        yield heading_line(headings).encode()
        yield from chunks
        on_finished(row_count())

    return _csv_stream(filename, stream())


def _csv_stream(filename, stream):
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
