"""A one-sheet XLSX written as a stream: the package's small parts, then the sheet's rows as they come.

Why not XlsxWriter: its constant-memory mode still formats every cell through Python objects and
writes a temporary file before the first byte can be sent, which made a 100,000-row export take
20 times the CSV's time. Here a row is one piece of XML, written either by `row_xml` (any report's
rows) or, for the completion records on PostgreSQL, by the database itself
(reports.copy_export.completion_xlsx), byte for byte the same; the ZIP is compressed as it streams,
so memory stays flat whatever the number of rows.

Cells follow the CSV's rules (reports.exports): text is an inline string (never read as a
formula, a number or an error), with Excel's hidden "quote prefix" (style 1) when it starts like a
formula or reads as an error value; numbers are numbers; an empty or missing value is no cell.
Text is written so that PostgreSQL's COPY writes it unescaped: the characters XML cannot hold are
dropped; a tab, a line feed, a carriage return (as XML reads it: a line feed) and a backslash are
written as character references.
"""

import decimal
import itertools
import re
import zipfile

from django.http import StreamingHttpResponse

from ops.zip_stream import ZipPipe
from reports.exports import ERROR_CODES, STARTS_LIKE_A_FORMULA, neutralise

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What XML cannot hold: control characters but the tab and the line ends, and U+FFFE, U+FFFF.
NOT_IN_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NOT_IN_XML_SQL = "[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # PostgreSQL's text holds no NUL
# What XML needs escaped, and what COPY's text format would escape: written as references.
ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\t": "&#9;", "\n": "&#10;", "\r": "&#10;", "\\": "&#92;"}
NEEDS_ESCAPE = re.compile("[&<>\t\n\r\\\\]")
# Text starting or ending with XML white space keeps it only when marked so.
EDGE_SPACE = re.compile("^[ \t\n\r]|[ \t\n\r]$")
TEXT_STYLE_QUOTED = ' s="1"'
CHUNK_BYTES = 64 * 1024  # compressed bytes gathered before the response sends them


def column_letters(index):
    """The column's letters: 0 is A, 25 is Z, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell_tail(text):
    """What follows `<c r="A1"` for a text value, or None when the text leaves no cell."""
    if NOT_IN_XML_RE.search(text):
        text = NOT_IN_XML_RE.sub("", text)
    if not text:
        return None
    quoted = STARTS_LIKE_A_FORMULA.match(text) is not None or text in ERROR_CODES
    space = ' xml:space="preserve"' if EDGE_SPACE.search(text) else ""
    if NEEDS_ESCAPE.search(text):
        text = NEEDS_ESCAPE.sub(lambda match: ESCAPES[match.group()], text)
    return f' t="inlineStr"{TEXT_STYLE_QUOTED if quoted else ""}><is><t{space}>{text}</t></is></c>'


def number_cell_tail(number):
    return f"><v>{number!r}</v></c>" if isinstance(number, float) else f"><v>{number}</v></c>"


def cell_tail(value):
    """What follows `<c r="A1"` for a report's value (text, number, date or None), or None."""
    if isinstance(value, str):
        return text_cell_tail(value)
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return number_cell_tail(value)
    if value is None:
        return None
    return text_cell_tail(neutralise(value))  # a date: its ISO form


def row_xml(number, values, letters):
    """One sheet row (`number` counts from 1), ended by a line feed as COPY ends its rows."""
    cells = "".join(
        f'<c r="{letter}{number}"{tail}'
        for letter, value in zip(letters, values, strict=False)
        if (tail := cell_tail(value))
    )
    return f'<row r="{number}">{cells}</row>\n'


def heading_row(headings):
    return row_xml(1, [str(heading) for heading in headings], [column_letters(index) for index in range(len(headings))])


def sheet_rows(column_count, rows):
    """The rows after the headings as XML text, a few hundred rows a chunk."""
    letters = [column_letters(index) for index in range(column_count)]
    chunk = []
    for number, row in enumerate(rows, start=2):
        chunk.append(row_xml(number, row, letters))
        if len(chunk) == 500:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    # Style 0 is the default; style 1 adds Excel's quote prefix (text typed with a leading apostrophe).
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
SHEET_START = f'{_DECLARATION}<worksheet xmlns="{_MAIN}"><sheetData>\n'
SHEET_END = "</sheetData></worksheet>\n"


def _entry(name):
    """A compressed entry with a fixed date: the same rows always make the same file."""
    entry = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    try:
        entry.compress_level = 1  # the fastest: the XML compresses well at any level
    except AttributeError:  # Python 3.12 names it privately
        entry._compresslevel = 1
    return entry


def workbook_chunks(sheet_xml):
    """The XLSX file as bytes chunks, its sheet's rows read from `sheet_xml` (text or bytes chunks,
    the rows as `row_xml` writes them) as the stream goes."""
    pipe = ZipPipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, xml in _PARTS.items():
            package.writestr(_entry(name), _DECLARATION + xml)
        with package.open(_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START.encode())
            for chunk in sheet_xml:
                sheet.write(chunk.encode() if isinstance(chunk, str) else chunk)
                if pipe.waiting >= CHUNK_BYTES:
                    yield pipe.take()
            sheet.write(SHEET_END.encode())
    yield pipe.take()


def xlsx_response(filename, headings, rows, on_finished):
    """A streamed XLSX (reports.xlsx): text as text (never read as a formula, a number or an error),
    numbers as numbers, dates as the CSV writes them; `on_finished(count)` once the last row is sent."""
    counted = _Counted(rows)
    rows_xml = sheet_rows(len(headings), counted)
    return written_xlsx_response(filename, headings, rows_xml, lambda: counted.count, on_finished)


def written_xlsx_response(filename, headings, rows_xml, row_count, on_finished):
    """A streamed XLSX whose rows after the headings come written, as text or bytes (`row_xml`, or
    PostgreSQL's COPY: reports.copy_export); `on_finished(row_count())` runs once the last chunk is sent."""

    def stream():
        yield from workbook_chunks(itertools.chain([heading_row(headings)], rows_xml))
        on_finished(row_count())

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


class _Counted:
    """The rows, counted as they are read."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
