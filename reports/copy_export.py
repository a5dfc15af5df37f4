"""The completion records' CSV written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT (FORMAT csv)`.

The rows and their order are `reports.rows.CompletionRows`' own querysets (its parts, each ordered
by its key), wrapped in a SELECT that writes the cells as the Python path writes them
(reports.exports.csv_response): the labels (units, staff categories, sources, courses, certificate
states, due dates) come from the dictionaries `CompletionRows` has built, in the user's language,
passed in as JSON and already neutralised; what comes from the learners' own text is neutralised in
SQL with the same character classes (reports.exports.FORMULA_START_SQL). PostgreSQL writes NULL as
nothing and an empty string as "": every missing cell is NULL, as the Python path writes "" and None
alike. Moments are written as cms.dates.export_date writes them, to the minute the rows read them.

tests/reports/test_copy_export.py holds both paths to byte-identical output.
"""

import datetime
import functools
import json
import zoneinfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router

from courses.models import Enrolment
from reports import exports
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
    completion records (SQLite and any other report keep reports.exports' Python writer)."""
    return isinstance(rows, CompletionRows) and connections[read_alias()].vendor == "postgresql"


def read_alias():
    """The database the report's rows are read from: the standby inside ops.replica's scope."""
    return router.db_for_read(Enrolment)


class CompletionCsv:
    """The CSV lines after the headings, as bytes chunks, read by COPY; `row_count` once read.

    Iterate it where the report's rows would be read (ops.replica.iterate_on_replica): the
    database is chosen at the first chunk. Each part of the rows is one COPY statement, in order."""

    def __init__(self, rows):
        self.rows = rows
        self.row_count = 0

    def __iter__(self):
        connection = connections[read_alias()]
        statements = list(self.statements(connection))
        buffered, size = [], 0
        for statement in statements:
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

    def statements(self, connection):
        labels = Labels(self.rows)
        for kind, course_id, part in self.rows.parts:
            try:
                if kind == "enrolment":
                    sql, params = enrolment_select(part, labels, connection)
                else:
                    sql, params = assigned_select(part, course_id, labels, connection)
            except EmptyResultSet:  # filters Django knows to choose nothing (an area without courses)
                continue
            yield connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params)


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
    """What a row shows that the tables do not hold, as `CompletionRows` writes it, each text
    already as a CSV cell (neutralised; "" left out, so that a missing label is NULL)."""

    def __init__(self, rows):
        self.rows = rows
        self.units = _cells({pk: rows.unit_label(pk) for pk, _path, _name in rows.units})
        self.staff = _cells(rows.staff_labels)
        self.sources = _cells(rows.source_labels)
        self.states = _cells(rows.state_labels)
        self.courses = {
            str(pk): [_cell(title), _cell(area), str(hours), modules]
            for pk, (title, area, hours, modules) in rows.course_cells.items()
        }
        self.due_dates = {
            f"{pk} {course_id}": due_on.isoformat()
            for course_id in rows.courses
            for pk, _path, _name in rows.units
            if (due_on := rows.due_on(pk, course_id))
        }


def _cell(text):
    return exports.neutralise(text) or None


def _cells(labels):
    return {str(key): cell for key, text in labels.items() if (cell := _cell(str(text))) is not None}


def _json(value):
    return json.dumps(value, ensure_ascii=False)


# The cells, as SQL ------------------------------------------------------------------------------


def text_cell(column):
    """A learner's own text as a CSV cell: neutralised as reports.exports.neutralise does, "" as NULL."""
    return f"CASE WHEN {column} ~ %s THEN '''' || {column} ELSE NULLIF({column}, '') END"


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


def enrolment_select(part, labels, connection):
    """The enrolments' rows: reports.rows.CompletionRows._enrolment_rows, written as cells."""
    inner, inner_params = _inner(part, connection)
    formula = exports.FORMULA_START_SQL
    # The live modules done come from the enrolment's own row (Enrolment.modules_done), as CompletionRows reads them.
    progress = progress_percent_sql("p.modules_done", "c.modules", "p.completed")
    sql = f"""
        SELECT {text_cell("p.full_name")}, {text_cell("p.email")}, %s::jsonb ->> p.unit_id::text,
            {text_cell("p.position")}, %s::jsonb ->> p.staff_category,
            c.title, c.area, %s::jsonb ->> p.source, %s::jsonb ->> (p.unit_id::text || ' ' || p.course_id::text),
            {moment_cell("p.enrolled")}, {progress}, {moment_cell("p.completed")},
            p.score, c.hours, {text_cell("NULLIF(p.serial, '')")},
            CASE WHEN p.serial <> '' THEN %s::jsonb ->> ({certificate_state_sql("p.status", "p.expires_on")}) END
        FROM ({inner}) AS p({ENROLMENT_COLUMNS})
        CROSS JOIN LATERAL (
            SELECT course ->> 0 AS title, course ->> 1 AS area, course ->> 2 AS hours, (course ->> 3)::int AS modules
            FROM (SELECT %s::jsonb -> p.course_id::text AS course) AS cell OFFSET 0
        ) AS c
        ORDER BY p.pk
    """  # noqa: S608 - this module's SQL and Django's compiled query; every value is a parameter
    # (OFFSET 0 keeps the LATERAL a step of its own: inlined, its expression would be computed once
    # for each use.)
    params = [
        *(formula, formula, _json(labels.units), formula, _json(labels.staff)),
        *(_json(labels.sources), _json(labels.due_dates)),
        *(formula, _json(labels.states), labels.rows.today),
        *inner_params,
        _json(labels.courses),
    ]
    return sql, params


def assigned_select(part, course_id, labels, connection):
    """The learners of a course's assigned units who have not started it: as CompletionRows._rows
    writes them (progress 0, no enrolment, no certificate)."""
    inner, inner_params = _inner(
        part.values_list("full_name", "email", "unit_id", "position", "staff_category", "pk"), connection
    )
    title, area, hours, _modules = labels.courses[str(course_id)]
    source = labels.sources.get(str(Enrolment.Source.ASSIGNMENT))
    sql = f"""
        SELECT {text_cell("p.full_name")}, {text_cell("p.email")}, %s::jsonb ->> p.unit_id::text,
            {text_cell("p.position")}, %s::jsonb ->> p.staff_category,
            %s, %s, %s, %s::jsonb ->> (p.unit_id::text || ' ' || %s),
            NULL, 0, NULL, NULL, %s, NULL, NULL
        FROM ({inner}) AS p({LEARNER_COLUMNS})
        ORDER BY p.pk
    """  # noqa: S608 - this module's SQL and Django's compiled query; every value is a parameter
    formula = exports.FORMULA_START_SQL
    params = [
        *(formula, formula, _json(labels.units), formula, _json(labels.staff)),
        title,
        area,
        source,
        _json(labels.due_dates),
        str(course_id),
        hours,
        *inner_params,
    ]
    return sql, params
