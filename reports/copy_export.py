"""The completion records' CSV and XLSX rows written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT`.

The rows and their order are `reports.rows.CompletionRows`' own querysets (its parts, each ordered
by its key), wrapped in a SELECT that writes the cells as the Python writers write them
(reports.exports.csv_response; reports.xlsx.row_xml, a whole sheet row in one column): the labels
(units, staff categories, sources, courses, certificate states, due dates) come from the
dictionaries `CompletionRows` has built, in the user's language, passed in as JSON already written
as cells; what comes from the learners' own text is written in SQL by the same rules
(reports.exports.FORMULA_START_SQL, reports.xlsx's character classes and escapes). PostgreSQL
writes NULL as nothing and an empty string as "": every missing cell is NULL, as the Python
writers write "" and None alike. Moments are written as cms.dates.export_date writes them, to the
minute the rows read them.

tests/reports/test_copy_export.py holds both paths to byte-identical output, in both formats.
"""

import datetime
import functools
import json
import zoneinfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router

from courses.models import Enrolment
from reports import exports, xlsx
from reports.rows import CompletionRows

# Read from COPY: how much to gather before handing a chunk to the response (PostgreSQL sends one
# message per row; a chunk per row would cost the server a write per row).
CHUNK_BYTES = 64 * 1024

ENROLMENT_COLUMNS = (
    "full_name, email, unit_id, position, staff_category,"
    " pk, course_id, source, enrolled, completed, score, modules_done, serial, status, expires_on"
)
LEARNER_COLUMNS = "full_name, email, unit_id, position, staff_category, pk"


def available(rows):
    """Whether the database the rows are read from can write this export: PostgreSQL, for the
    completion records (SQLite and any other report keep the Python writers)."""
    return isinstance(rows, CompletionRows) and connections[read_alias()].vendor == "postgresql"


def read_alias():
    """The database the report's rows are read from: the standby inside ops.replica's scope."""
    return router.db_for_read(Enrolment)


class CopiedRows:
    """The lines after the headings, as bytes chunks, read by COPY; `row_count` once read.

    Iterate it where the report's rows would be read (ops.replica.iterate_on_replica): the
    database is chosen at the first chunk. Each part of the rows is one COPY statement, in order,
    composed when its turn comes (an XLSX row carries its number: the rows before it are counted)."""

    def __init__(self, rows, cells):
        self.rows, self.cells = rows, cells
        self.row_count = 0

    def __iter__(self):
        connection = connections[read_alias()]
        labels = self.cells.labels(self.rows)
        buffered, size = [], 0
        for kind, course_id, part in self.rows.parts:
            statement = self.statement(kind, course_id, part, labels, connection)
            if statement is None:
                continue
            with connection.cursor() as cursor:
                with _logged(cursor, statement), cursor.cursor.copy(statement) as copy:
                    for block in copy:
                        buffered.append(bytes(block))
                        size += len(block)
                        if size >= CHUNK_BYTES:
                            yield b"".join(buffered)
                            buffered, size = [], 0
                self.row_count += cursor.cursor.rowcount
        if buffered:
            yield b"".join(buffered)

    def statement(self, kind, course_id, part, labels, connection):
        select = _Select(self.cells, first_row=self.row_count + 2)  # row 1 holds the headings
        try:
            if kind == "enrolment":
                sql = enrolment_select(select, part, labels, connection)
            else:
                sql = assigned_select(select, part, course_id, labels, connection)
        except EmptyResultSet:  # filters Django knows to choose nothing (an area without courses)
            return None
        return connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT (FORMAT {self.cells.copy_format})", select.params)


def completion_csv(rows):
    """The completion records' CSV lines, as reports.exports.csv_response writes them."""
    return CopiedRows(rows, CsvCells())


def completion_xlsx(rows):
    """The completion records' sheet rows, as reports.xlsx.row_xml writes them."""
    return CopiedRows(rows, XlsxCells())


class _logged:
    """The COPY in the connection's query log when Django keeps one (tests, DEBUG)."""

    def __init__(self, cursor, statement):
        self.context = cursor.debug_sql(statement) if hasattr(cursor, "debug_sql") else None

    def __enter__(self):
        if self.context is not None:
            self.context.__enter__()

    def __exit__(self, *exc_info):
        if self.context is not None:
            self.context.__exit__(*exc_info)


class Labels:
    """What a row shows that the tables do not hold, as `CompletionRows` writes it, each label
    already written as the format's cell by `cell(text)` (None, left out, for a label that leaves
    no cell: a missing label is then NULL) and the course's hours by `number(hours)`."""

    def __init__(self, rows, cell, number):
        def cells(labels):
            return {str(key): written for key, text in labels.items() if (written := cell(str(text))) is not None}

        self.rows = rows
        self.units = cells({pk: rows.unit_label(pk) for pk, _path, _name in rows.units})
        self.staff = cells(rows.staff_labels)
        self.sources = cells(rows.source_labels)
        self.states = cells(rows.state_labels)
        self.courses = {
            str(pk): [cell(str(title)), cell(str(area)), number(hours), modules]
            for pk, (title, area, hours, modules) in rows.course_cells.items()
        }
        self.due_dates = {
            f"{pk} {course_id}": cell(due_on.isoformat())
            for course_id in rows.courses
            for pk, _path, _name in rows.units
            if (due_on := rows.due_on(pk, course_id))
        }


def _json(value):
    return json.dumps(value, ensure_ascii=False)


class _Select:
    """A SELECT's parameters, gathered in the order its text names them: `select(sql, *params)`
    returns the text, so each piece must be written in the order it stands in the statement."""

    def __init__(self, cells, first_row):
        self.cells, self.first_row, self.params = cells, first_row, []

    def __call__(self, sql, *params):
        self.params += params
        return sql


# The cells, as SQL ------------------------------------------------------------------------------


class CsvCells:
    """Cells as reports.exports.csv_response writes them: a column each, COPY's CSV."""

    copy_format = "csv"

    def labels(self, rows):
        return Labels(rows, _csv_cell, str)

    def rows_from(self, select, inner, inner_params, columns):
        return f"({select(inner, *inner_params)}) AS p({columns})"

    def row(self, cells):
        return ", ".join(cells)

    def text(self, select, column_index, column):
        """A learner's own text, neutralised as reports.exports.neutralise does, "" as NULL."""
        return select(
            f"CASE WHEN {column} ~ %s THEN '''' || {column} ELSE NULLIF({column}, '') END",
            exports.FORMULA_START_SQL,
        )

    def label(self, column_index, written):
        """A label (Labels: already the cell) or NULL."""
        return written

    def number(self, column_index, expression):
        return expression

    def moment(self, column_index, expression):
        return expression


def _csv_cell(text):
    return exports.neutralise(text) or None


class XlsxCells:
    """Cells as reports.xlsx.row_xml writes them: the whole row's XML in one column, which COPY's
    text format writes as it is (reports.xlsx escapes every character that format would)."""

    copy_format = "text"

    def labels(self, rows):
        return Labels(rows, xlsx.text_cell_tail, xlsx.number_cell_tail)

    def rows_from(self, select, inner, inner_params, columns):
        """The rows numbered from the statement's first row, in the order they are written."""
        numbered = select("(SELECT q.*, %s + row_number() OVER (ORDER BY q.pk) - 1 AS n FROM (", select.first_row)
        return numbered + select(inner, *inner_params) + f") AS q({columns})) AS p"

    def row(self, cells):
        return f"""'<row r="' || p.n || '">' || concat({", ".join(cells)}) || '</row>'"""

    def _cell(self, column_index, tail):
        """`<c r="A12"` and the cell's tail (NULL when the tail is: no cell)."""
        return f"""('<c r="{xlsx.column_letters(column_index)}' || p.n || '"' || ({tail}))"""

    def text(self, select, column_index, column):
        """A learner's own text as reports.xlsx.text_cell_tail writes it: the text, cleaned once
        in a subquery of its own, then marked and escaped."""
        written = select(
            f"""(SELECT {self._cell(column_index, "tail")} FROM (
                SELECT ' t="inlineStr"' || CASE WHEN t ~ %s OR t = ANY(%s) THEN ' s="1"' ELSE '' END
                    || '><is><t' || CASE WHEN t ~ %s THEN ' xml:space="preserve"' ELSE '' END
                    || '>' || {XML_ESCAPED_SQL.format("t")} || '</t></is></c>' AS tail""",
            exports.FORMULA_START_SQL,
            sorted(exports.ERROR_CODES),
            xlsx.EDGE_SPACE.pattern,
        )
        return written + select(
            f" FROM (SELECT NULLIF(regexp_replace({column}, %s, '', 'g'), '') AS t) AS cleaned) AS text)",
            xlsx.NOT_IN_XML_SQL,
        )

    def label(self, column_index, written):
        """A label (Labels: already the cell's tail) or NULL."""
        return self._cell(column_index, written)

    def number(self, column_index, expression):
        return self._cell(column_index, f"'><v>' || ({expression}) || '</v></c>'")

    def moment(self, column_index, expression):
        """A moment's text: no character of it needs escaping, none starts like a formula."""
        return self._cell(column_index, f"""' t="inlineStr"><is><t>' || ({expression}) || '</t></is></c>'""")


# reports.xlsx's escapes, in SQL ("&" first, so that the references written after keep theirs).
XML_ESCAPED_SQL = (
    "replace(replace(replace(replace(replace(replace(replace({0}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),"
    " chr(9), '&#9;'), chr(10), '&#10;'), chr(13), '&#10;'), chr(92), '&#92;')"
)


def utc_offset_sql(column, zone_name):
    """The zone's offset from UTC at a local minute `reports.rows.local_minute` wrote, as an interval."""
    zone = "'" + str(zoneinfo.ZoneInfo(zone_name)).replace("'", "''") + "'"  # a zone's name, as a literal
    return f"({column}::timestamp - timezone('UTC', timezone({zone}, {column}::timestamp)))"


def moment_cell(column):
    """A moment `reports.rows.local_minute` wrote ("2026-03-05 14:30", in the site's time zone) as
    cms.dates.export_date writes it: "2026-03-05T14:30:00+07:00", with the offset the zone has then.
    Over the years the zone keeps one offset (Asia/Ho_Chi_Minh: since 1975) it is a constant,
    computed for the row only outside them."""
    since, until, steady = steady_offset(settings.TIME_ZONE)
    offset = utc_offset_sql(column, settings.TIME_ZONE)
    sign = f"CASE WHEN {offset} < interval '0' THEN '-' ELSE '+' END"
    size = f"CASE WHEN {offset} < interval '0' THEN -{offset} ELSE {offset} END"
    computed = f"{sign} || to_char({size}, 'HH24:MI')"
    steadily = f"{column} COLLATE \"C\" >= '{since}' AND {column} COLLATE \"C\" < '{until}'"
    return f"replace({column}, ' ', 'T') || ':00' || CASE WHEN {steadily} THEN '{steady}' ELSE {computed} END"


@functools.cache
def steady_offset(zone_name, until=2100):
    """(since, until, offset): local minutes, as local_minute writes them, between which the zone
    keeps one offset, written as datetime.isoformat writes it ("+07:00"). Looked at every four weeks back
    from `until`: `since` may be a little after the last change, never before it."""
    zone = zoneinfo.ZoneInfo(zone_name)

    def offset_at(moment):
        return moment.replace(tzinfo=zone).isoformat()[19:]

    end = datetime.datetime(until, 1, 1)
    steady, since, moment = offset_at(end), end, end
    while moment.year > 1900:
        moment -= datetime.timedelta(days=28)
        if offset_at(moment) != steady:
            break
        since = moment
    return since.strftime("%Y-%m-%d %H:%M"), end.strftime("%Y-%m-%d %H:%M"), steady


def progress_percent_sql(done, modules, completed):
    """courses.services.progress_percent in SQL: 100 when completed, else 100 × done / modules rounded
    half to even as Python's round() does (PostgreSQL's round() takes halves away from zero), in
    integers: 1 of 8 is 12.5, so 12."""
    share = f"(100 * {done})"
    whole, rest = f"({share} / {modules})", f"(2 * ({share} %% {modules}))"
    up = f"({rest} > {modules} OR ({rest} = {modules} AND {whole} %% 2 = 1))"
    return f"CASE WHEN {completed} IS NOT NULL THEN 100 WHEN {modules} > 0 THEN {whole} + ({up})::int ELSE 0 END"


def certificate_state_sql(status, expires_on):
    """certificates.models.Certificate.state_of in SQL: the status, but an issued certificate is
    "valid" or, past its expiry date (the rows' today), "expired"."""
    return (
        f"CASE WHEN {status} <> 'issued' THEN {status}"
        f" WHEN {expires_on} IS NOT NULL AND {expires_on} < %s THEN 'expired' ELSE 'valid' END"
    )


def _inner(queryset, connection):
    return queryset.query.get_compiler(connection=connection).as_sql()


def enrolment_select(select, part, labels, connection):
    """The enrolments' rows: reports.rows.CompletionRows._rows, written as cells."""
    inner, inner_params = _inner(part, connection)
    cells = select.cells
    # The live modules done come from the enrolment's own row (Enrolment.modules_done), as CompletionRows reads them.
    progress = progress_percent_sql("p.modules_done", "c.modules", "p.completed")
    state = certificate_state_sql("p.status", "p.expires_on")
    written = [
        cells.text(select, 0, "p.full_name"),
        cells.text(select, 1, "p.email"),
        cells.label(2, select("%s::jsonb ->> p.unit_id::text", _json(labels.units))),
        cells.text(select, 3, "p.position"),
        cells.label(4, select("%s::jsonb ->> p.staff_category", _json(labels.staff))),
        cells.label(5, "c.title"),
        cells.label(6, "c.area"),
        cells.label(7, select("%s::jsonb ->> p.source", _json(labels.sources))),
        cells.label(8, select("%s::jsonb ->> (p.unit_id::text || ' ' || p.course_id::text)", _json(labels.due_dates))),
        cells.moment(9, moment_cell("p.enrolled")),
        cells.number(10, progress),
        cells.moment(11, moment_cell("p.completed")),
        cells.number(12, "p.score"),
        cells.label(13, "c.hours"),
        cells.text(select, 14, "NULLIF(p.serial, '')"),
        cells.label(
            15,
            select(
                f"CASE WHEN p.serial <> '' THEN %s::jsonb ->> ({state}) END", _json(labels.states), labels.rows.today
            ),
        ),
    ]
    row = cells.row(written)
    rows_from = cells.rows_from(select, inner, inner_params, ENROLMENT_COLUMNS)
    # OFFSET 0 keeps the LATERAL a step of its own: inlined, its expression would be computed once for each use.
    course = select(
        """CROSS JOIN LATERAL (
            SELECT course ->> 0 AS title, course ->> 1 AS area, course ->> 2 AS hours, (course ->> 3)::int AS modules
            FROM (SELECT %s::jsonb -> p.course_id::text AS course) AS cell OFFSET 0
        ) AS c""",
        _json(labels.courses),
    )
    return f"SELECT {row} FROM {rows_from} {course} ORDER BY p.pk"


def assigned_select(select, part, course_id, labels, connection):
    """The learners of a course's assigned units who have not started it: as CompletionRows._rows
    writes them (progress 0, no enrolment, no certificate)."""
    inner, inner_params = _inner(
        part.values_list("full_name", "email", "unit_id", "position", "staff_category", "pk"), connection
    )
    title, area, hours, _modules = labels.courses[str(course_id)]
    cells = select.cells
    written = [
        cells.text(select, 0, "p.full_name"),
        cells.text(select, 1, "p.email"),
        cells.label(2, select("%s::jsonb ->> p.unit_id::text", _json(labels.units))),
        cells.text(select, 3, "p.position"),
        cells.label(4, select("%s::jsonb ->> p.staff_category", _json(labels.staff))),
        cells.label(5, select("%s::text", title)),
        cells.label(6, select("%s::text", area)),
        cells.label(7, select("%s::text", labels.sources.get(str(Enrolment.Source.ASSIGNMENT)))),
        cells.label(8, select("%s::jsonb ->> (p.unit_id::text || ' ' || %s)", _json(labels.due_dates), str(course_id))),
        "NULL",
        cells.number(10, "0"),
        "NULL",
        "NULL",
        cells.label(13, select("%s::text", hours)),
        "NULL",
        "NULL",
    ]
    row = cells.row(written)
    rows_from = cells.rows_from(select, inner, inner_params, LEARNER_COLUMNS)
    return f"SELECT {row} FROM {rows_from} ORDER BY p.pk"
