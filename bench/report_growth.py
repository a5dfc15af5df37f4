"""`make bench`: how the managers' reports and exports grow from 10,000 to 1,000,000 learners.

On PostgreSQL only. In a throwaway database, builds bench.reports' city (20 courses of 5 modules,
each assigned to a third of the wards; each learner in one unit with three enrolments: one course
completed with its completion and certificate, the others 3 and 2 modules in) at 10,000 learners,
measures, grows it in place to 100,000, measures, and to 1,000,000 (10,000,000 module-progress
rows), measures. The pages and courses are made with Wagtail's API; the learners' rows with
set-based SQL (INSERT … SELECT … FROM generate_series), so the largest city builds in minutes.

At each scale, the median of several runs of
- the completion records' first page, page 100 and last page, and the unit summary, for an
  administrator (every unit) and for the manager of one ward;
- the CSV export of the completed rows beside psql's \\copy of the same rows (taking turns), and
  the XLSX export of the same rows;
and, once per scale in a fresh process, the peak resident memory of that process's CSV export.
BENCH_LARGEST (learners, default 1,000,000) stops the growth earlier: 100000 for a quick run.
See docs/decisions.md, "Issue 17: the growth benchmark".
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import teardown_test_environment  # noqa: E402

from bench import results  # noqa: E402
from bench.testdb import throwaway_database  # noqa: E402

SCALES = (10_000, 100_000, 1_000_000)
LARGEST = int(os.environ.get("BENCH_LARGEST", SCALES[-1]))
# bench.reports' city at every scale: 29 wards of 4 units (146 units with the city). The aims are
# about learners growing (the report's time flat from 10,000 to 1,000,000 learners), so the unit
# tree stays the same and each unit holds more learners as the city grows.
WARDS_PER_100_000, UNITS_PER_WARD, COURSES, MODULES = 29, 4, 20, 5
# Each learner's three enrolments: modules done in each (5 of 5: completed; then 3 and 2 in).
MODULES_DONE = (5, 3, 2)
LEARNERS_PER_STATEMENT = 100_000  # one transaction each: bounded sorts, a progress line each
PAGE_REPEAT, EXPORT_REPEAT = 5, 3
# The XLSX export of 1,000,000 rows takes tens of minutes on a small machine: once there (its aim
# is judged at 100,000).
XLSX_REPEAT_ABOVE_100_000 = 1
PAGE_AIM_MS, XLSX_AIM_RATIO, RSS_GROWTH_AIM_MIB = 150, 8, 30
DATABASE_NAME = "test_bench_report_growth"  # its own name: never the test database of a concurrent run
RECORDS, SUMMARY = "/admin/reports/completion-records/", "/admin/reports/unit-summary/"
COMPLETED_EXPORT = {"status": "completed"}
MIB = 2**20


def wards_for(learners):
    return WARDS_PER_100_000  # the same city whatever its learners (see above)


class City:
    """The units, courses and modules built so far (Wagtail pages and treebeard nodes, made with
    their own API), and the number of learners."""

    def __init__(self):
        self.city = None
        self.wards, self.units = [], []  # units: where learners are, in order (bench.reports' `units`)
        self.courses, self.module_ids = [], {}  # course id -> its module ids in tree order
        self.learners = 0
        self.random = random.Random(106)

    def build_courses(self):
        from wagtail.models import Page

        from accounts.models import OrganisationUnit
        from courses.models import CourseIndexPage, CoursePage, ModulePage

        self.city = OrganisationUnit.add_root(code="HN", name="Thành phố Hà Nội", type="city")
        home = Page.get_first_root_node().add_child(title="Trang chủ", slug="trang-chu")
        catalogue = home.add_child(instance=CourseIndexPage(title="Khóa học", slug="courses"))
        for c in range(COURSES):
            course = catalogue.add_child(
                instance=CoursePage(
                    title=f"Khóa học số {c}",
                    slug=f"khoa-{c}",
                    summary=".",
                    objectives="<p>.</p>",
                    area=1 if c % 2 else 3,
                    hours=4,
                    # bench.reports' certificates expire after a year: the courses say so here.
                    certificate_validity_months=12,
                )
            )
            self.courses.append(course)
            self.module_ids[course.pk] = [
                course.add_child(instance=ModulePage(title=f"Mô-đun {m}", slug=f"m-{m}")).pk for m in range(MODULES)
            ]

    def grow_units(self, wards):
        """Add wards (each with its units) up to `wards`, and assign each course to a third of the
        new wards, as bench.reports assigns it to a third of its wards. Whether units were added."""
        import datetime

        from django.utils import timezone

        from courses.models import Assignment

        first = len(self.wards)
        if wards <= first:
            return False
        self.city.refresh_from_db()
        for w in range(first, wards):
            ward = self.city.add_child(code=f"W{w}", name=f"Phường số {w}", type="ward")
            self.wards.append(ward)
            for u in range(UNITS_PER_WARD):
                self.units.append(ward.add_child(code=f"W{w}-U{u}", name=f"Đơn vị {u} phường số {w}", type="unit"))
        new_wards, today = self.wards[first:], timezone.localdate()
        Assignment.objects.bulk_create(
            Assignment(course=course, unit=ward, due_on=today + datetime.timedelta(self.random.randint(-30, 60)))
            for course in self.courses
            for ward in self.random.sample(new_wards, len(new_wards) // 3)
        )
        return True

    @property
    def unit_ids(self):
        return [unit.pk for unit in self.units]


# Learner n (hv<n>@example.org) is in unit n mod the number of units, as in bench.reports.
INSERT_LEARNERS = """
INSERT INTO accounts_user (password, last_login, is_superuser, is_staff, is_active, date_joined, email,
  full_name, unit_id, position, staff_category, consent_given_at, consent_notice_version)
SELECT '!', NULL, false, false, true, %(now)s, 'hv' || n || '@example.org', 'Học viên số ' || n,
  (%(unit_ids)s::bigint[])[1 + n %% cardinality(%(unit_ids)s::bigint[])], '', 'civil_servant', NULL, ''
FROM generate_series(%(first)s, %(stop)s - 1) AS n ORDER BY n
"""

# Learners spread again over every unit once the city has more: the same as a build at that scale.
RESPREAD_LEARNERS = """
UPDATE accounts_user SET unit_id = (%(unit_ids)s::bigint[])[
  1 + split_part(split_part(email, '@', 1), 'hv', 2)::int %% cardinality(%(unit_ids)s::bigint[])]
WHERE email LIKE 'hv%%@example.org'
"""

# Three distinct courses per learner (a random first and a random step prime to 20), each started
# on a random day 10 to 300 days ago, a module done each day after; the first course completed on
# its fifth module's day. modules_done and last_activity_at as the services keep them.
INSERT_ENROLMENTS = """
WITH learner AS MATERIALIZED (
  SELECT id AS user_id, floor(random() * %(courses)s)::int AS first_course,
    (ARRAY[1, 3, 7, 9, 11, 13, 17, 19])[1 + floor(random() * 8)::int] AS step
  FROM accounts_user WHERE id > %(after_user)s AND email LIKE 'hv%%@example.org'
), planned AS MATERIALIZED (
  SELECT user_id, i, (%(course_ids)s::bigint[])[1 + (first_course + i * step) %% %(courses)s] AS course_id,
    (%(modules_done)s::int[])[1 + i] AS done,
    %(now)s::timestamptz - (10 + random() * 290) * interval '1 day' AS started_at
  FROM learner CROSS JOIN generate_series(0, 2) AS i
)
INSERT INTO courses_enrolment (user_id, course_id, source, started_at, completed_at, score, superseded,
  modules_done, last_activity_at)
SELECT user_id, course_id, 'self', started_at,
  CASE WHEN done = %(modules)s THEN started_at + done * interval '1 day' END,
  CASE WHEN done = %(modules)s THEN 100 END,
  false, done, started_at + done * interval '1 day'
FROM planned ORDER BY user_id, i
"""

# The first `modules_done` modules of each new enrolment's course, one a day from its start.
INSERT_PROGRESS = """
INSERT INTO courses_moduleprogress (enrolment_id, module_id, completed_at, score)
SELECT e.id, m.module_id, e.started_at + (m.position + 1) * interval '1 day', 100
FROM courses_enrolment e
JOIN unnest(%(module_course_ids)s::bigint[], %(module_positions)s::int[], %(module_ids)s::bigint[])
  AS m (course_id, position, module_id) ON m.course_id = e.course_id AND m.position < e.modules_done
WHERE e.id > %(after_enrolment)s ORDER BY e.id, m.position
"""

INSERT_COMPLETIONS = """
INSERT INTO courses_completion (enrolment_id, user_id, course_id, full_name, unit_code, unit_name,
  course_title, area, hours, score, completed_on, created_at)
SELECT e.id, e.user_id, e.course_id, u.full_name, '', '', p.title, c.area, c.hours, e.score,
  (e.completed_at AT TIME ZONE %(time_zone)s)::date, e.completed_at
FROM courses_enrolment e JOIN accounts_user u ON u.id = e.user_id
JOIN courses_coursepage c ON c.page_ptr_id = e.course_id JOIN wagtailcore_page p ON p.id = e.course_id
WHERE e.id > %(after_enrolment)s AND e.completed_at IS NOT NULL ORDER BY e.id
"""

# One certificate per new completion, numbered on from the year's last serial, valid a year.
INSERT_CERTIFICATES = """
INSERT INTO certificates_certificate (completion_id, user_id, course_id, year, number, serial, serial_slug,
  code, holder_name, unit_name, course_title, area, hours, completed_on, issued_on, expires_on, status,
  revoked_reason, revoked_at, revoked_by_id, replaced_by_id, pdf, pdf_sha256, holder_notified_at, created_at)
SELECT id, user_id, course_id, year, number, padded || '/' || year || '/GCN', padded || '-' || year || '-gcn',
  'BENCH' || lpad(id::text, 11, '0'), full_name, '',
  course_title, area, hours, completed_on, completed_on, (completed_on + interval '1 year')::date, 'issued',
  '', NULL, NULL, NULL, '', '', NULL, created_at
FROM (
  SELECT d.*, year, coalesce(used.last_number, 0) + row_number() OVER (PARTITION BY year ORDER BY d.id) AS number
  FROM courses_completion d CROSS JOIN LATERAL (SELECT extract(year FROM d.completed_on)::int AS year) AS y
  LEFT JOIN (SELECT year, max(number) AS last_number FROM certificates_certificate GROUP BY year) AS used
    USING (year)
  WHERE d.id > %(after_completion)s
) AS numbered
-- {number:06d}: six digits at least (lpad alone would cut 1000000 to 100000)
CROSS JOIN LATERAL (SELECT lpad(number::text, greatest(6, length(number::text)), '0') AS padded) AS serial
ORDER BY id
"""

# The yearly counters the numbers above continue, as certificates.services.issue would leave them.
UPDATE_SERIAL_COUNTERS = """
INSERT INTO certificates_serialcounter (year, last_number)
SELECT year, max(number) FROM certificates_certificate GROUP BY year
ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number
"""

BUILD_STATEMENTS = (INSERT_LEARNERS, INSERT_ENROLMENTS, INSERT_PROGRESS, INSERT_COMPLETIONS, INSERT_CERTIFICATES)
BUILD_STEPS = ("learners", "enrolments", "progress", "completions", "certificates")

FIGURE_TABLES = (
    "reports_unitlearners",
    "reports_unitcourseassignment",
    "reports_unitcourseactivity",
    "reports_unitcourserepeat",
)
BIG_TABLES = (
    "accounts_user",
    "courses_enrolment",
    "courses_moduleprogress",
    "courses_completion",
    "certificates_certificate",
)


def last_id(cursor, table):
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - our table names only
    return cursor.fetchone()[0]


@contextmanager
def build_session(cursor):
    """The session settings of a bulk load into a throwaway database, reset afterwards. The foreign
    keys' triggers are off (session_replication_role, as pg_restore does): every row's references
    come from a join with the rows they refer to, so checking each one again would only take most
    of the time; check_consistent checks what the joins cannot promise."""
    settings = {"synchronous_commit": "off", "work_mem": "'256MB'", "session_replication_role": "replica"}
    for name, value in settings.items():
        cursor.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        for name in settings:
            cursor.execute(f"RESET {name}")


def add_learners(city, stop, now):
    """Learners city.learners … stop - 1 with their enrolments, progress, completions and
    certificates, LEARNERS_PER_STATEMENT at a time."""
    from django.conf import settings

    modules = [
        (course_id, position, module_id)
        for course_id, module_ids in city.module_ids.items()
        for position, module_id in enumerate(module_ids)
    ]
    parameters = {
        "now": now,
        "unit_ids": city.unit_ids,
        "course_ids": [course.pk for course in city.courses],
        "courses": COURSES,
        "modules": MODULES,
        "modules_done": list(MODULES_DONE),
        "module_course_ids": [course_id for course_id, _position, _module_id in modules],
        "module_positions": [position for _course_id, position, _module_id in modules],
        "module_ids": [module_id for _course_id, _position, module_id in modules],
        "time_zone": settings.TIME_ZONE,
    }
    with connection.cursor() as cursor, build_session(cursor):
        for first in range(city.learners, stop, LEARNERS_PER_STATEMENT):
            cursor.execute("SELECT setseed(%s)", [(first % 1_000_003) / 1_000_003])  # the same city each run
            after = {
                "after_user": last_id(cursor, "accounts_user"),
                "after_enrolment": last_id(cursor, "courses_enrolment"),
                "after_completion": last_id(cursor, "courses_completion"),
            }
            chunk = {**parameters, **after, "first": first, "stop": min(first + LEARNERS_PER_STATEMENT, stop)}
            started, seconds = time.perf_counter(), []
            for statement in BUILD_STATEMENTS:
                cursor.execute(statement, chunk)
                seconds.append(time.perf_counter() - started)
                started = time.perf_counter()
            steps = ", ".join(f"{name} {took:.0f} s" for name, took in zip(BUILD_STEPS, seconds, strict=True))
            print(f"  learners {first:,} to {chunk['stop'] - 1:,}: {steps}", flush=True)
        cursor.execute(UPDATE_SERIAL_COUNTERS)
    city.learners = stop


def grow(city, learners, now):
    """The city grown in place to `learners`, with the proportions of a city built at that size."""
    if city.grow_units(wards_for(learners)) and city.learners:
        with connection.cursor() as cursor:
            cursor.execute(RESPREAD_LEARNERS, {"unit_ids": city.unit_ids})
    add_learners(city, learners, now)


def refresh_precomputed_figures():
    """What a live database has done by the time managers read the reports, run after each build
    and before measuring.

    The per-unit, per-course figures of the reports app are counted again here, as the task a
    change queues would (reports.unit_figures.refresh); the set-based inserts send no signal. The
    exact per-enrolment figures (Enrolment.modules_done, .last_activity_at) are written by the
    generator itself. Returns the refresh's seconds.

    Planner statistics (autovacuum's ANALYZE) and the visibility map (its VACUUM), so that
    index-only scans read the index alone as they would in a live database."""
    with connection.cursor() as cursor:
        for table in BIG_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")
    from reports import unit_figures

    started = time.perf_counter()
    unit_figures.refresh()
    seconds = time.perf_counter() - started
    # The refresh rewrote the figures' tables: autovacuum would visit them next, in the middle of
    # the measurements (the summary's index-only scans read the heap until it has).
    with connection.cursor() as cursor:
        for table in FIGURE_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return seconds


def table_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names only
        return cursor.fetchone()[0]


def check_consistent():
    """The generator's promises, checked once per scale on the whole database (cheap next to the
    build): modules_done and last_activity_at agree with the progress rows; one completion and one
    current certificate per completed enrolment."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM courses_enrolment e
            LEFT JOIN (SELECT enrolment_id, count(*) AS done, max(completed_at) AS latest
                       FROM courses_moduleprogress GROUP BY enrolment_id) p ON p.enrolment_id = e.id
            WHERE e.modules_done <> coalesce(p.done, 0) OR e.last_activity_at <> coalesce(p.latest, e.started_at)
            """
        )
        disagreeing = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM courses_enrolment e
            LEFT JOIN courses_completion d ON d.enrolment_id = e.id
            LEFT JOIN certificates_certificate c ON c.completion_id = d.id AND c.status <> 'replaced'
            WHERE (e.completed_at IS NULL) <> (d.id IS NULL) OR (d.id IS NOT NULL AND c.id IS NULL)
            """
        )
        unmatched = cursor.fetchone()[0]
    assert disagreeing == 0, f"{disagreeing} enrolments whose modules_done or last_activity_at disagree"
    assert unmatched == 0, f"{unmatched} enrolments without their completion or certificate"


# Measuring


def median_ms(function, repeat=PAGE_REPEAT):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return 1000 * statistics.median(samples)


def paired_median_seconds(first, second, repeat):
    firsts, seconds = [], []
    for _ in range(repeat):
        for function, samples in ((first, firsts), (second, seconds)):
            start = time.perf_counter()
            function()
            samples.append(time.perf_counter() - start)
    return statistics.median(firsts), statistics.median(seconds)


def getter(client, url, query=None):
    def get():
        response = client.get(url, query or {})
        assert response.status_code == 200, (url, query, response.status_code)
        return response

    return get


def export(client, fmt, sizes=None):
    """The completed rows exported as `fmt`, read to the last byte; the file's size appended to
    `sizes` when given."""
    response = client.get(RECORDS, {**COMPLETED_EXPORT, "export": fmt})
    assert response.status_code == 200, (fmt, response.status_code)
    size = sum(len(chunk) for chunk in response.streaming_content)
    if sizes is not None:
        sizes.append(size)
    return size


def page_figures(who, client):
    """{figure: ms} of the reports' pages for one signed-in user; page 100 only where there is one.
    The records page by cursor (reports.rows.CompletionRows.page): page 100 opens after the last row
    of page 99, as following "next" 99 times would."""
    from django.contrib.auth import get_user_model

    from reports.rows import CompletionRows

    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    rows = CompletionRows(user)
    pages = -(-rows.count() // 50)  # for the table only: the page itself counts nothing
    first_page = getter(client, RECORDS)
    first_page()  # warms the process up
    figures = {f"completion records, first page ({who})": median_ms(first_page)}
    if pages >= 100:
        page = None
        for _number in range(99):
            page = rows.page(50, after=page.last if page else None)
        figures[f"completion records, page 100 ({who})"] = median_ms(getter(client, RECORDS, {"after": str(page.last)}))
    figures[f"completion records, last page ({who})"] = median_ms(getter(client, RECORDS, {"last": "1"}))
    figures[f"unit summary ({who})"] = median_ms(getter(client, SUMMARY))
    return figures, pages


def export_peak_rss(admin_email, fmt="csv"):
    """The peak resident memory of a fresh process that signs in and exports the completed rows
    (MiB), and that of the same process before the export: run in a subprocess, so it is a whole
    process's figure. Here, in the parent, the process has built the city."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database.get('USER') or 'postgres'}@{database.get('HOST') or '127.0.0.1'}:"
        f"{database.get('PORT') or 5432}/{database['NAME']}"
    )
    environment = {**os.environ, "DATABASE_URL": url}
    environment.pop(results.ENVIRONMENT_VARIABLE, None)
    measured = subprocess.run(
        [sys.executable, "-m", "bench.report_growth", "--export-peak-rss", fmt, admin_email],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(measured.stdout.strip().splitlines()[-1])


def high_water_mark_kib():
    """This process's peak resident memory in KiB, from /proc/self/status."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def child_export_peak_rss(fmt, admin_email):
    """In the fresh process: sign in, open the first page (imports, templates, the session), note
    the peak resident memory, export, note it again.

    The peak is the process's own high-water mark (VmHWM): getrusage's ru_maxrss survives exec on
    Linux, so a process started by a large one would report its parent's size."""
    from accounts.models import User
    from tests.conftest import sign_in_past_second_factor

    client = sign_in_past_second_factor(Client(), User.objects.get(email=admin_email))
    getter(client, RECORDS)()
    before = high_water_mark_kib()
    size = export(client, fmt)
    peak = high_water_mark_kib()
    print(json.dumps({"before_mib": before / 1024, "peak_mib": peak / 1024, "bytes": size}))


class Growth:
    """The figures of each scale, recorded (bench.results) as they are measured, each growth aim
    judged on the row of the scale it names."""

    def __init__(self):
        self.rows = []  # as bench.results records them, for this module's own table
        self.values = {}  # (figure, scale) -> value

    def record(self, figure, value, unit, scale, *, aim=None, floor=None, passed=None, note=""):
        self.values[figure, scale] = value
        row = {
            "figure": figure,
            "value": value,
            "unit": unit,
            "aim": aim,
            "floor": floor,
            "passed": passed,
            "database": "postgresql",
            "scale": scale,
            "note": note,
        }
        self.rows.append(row)
        results.record(**row)
        shown = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
        print(f"  {figure}: {shown} {unit}", flush=True)  # as measured: a long run shows its progress

    def growth_from_smallest(self, figure, value, scale, limit):
        """value < limit × the figure at the smallest scale, judged at 1,000,000 learners only."""
        smallest = self.values.get((figure, SCALES[0]))
        if scale != SCALES[-1] or smallest is None:
            return None
        return value < limit * smallest

    def page(self, figure, ms, scale):
        passed = self.growth_from_smallest(figure, ms, scale, 2)
        if scale == 100_000:
            passed = ms <= PAGE_AIM_MS
        aim = f"<= {PAGE_AIM_MS} ms at 100,000; < 2x the 10,000 figure at 1,000,000"
        self.record(figure, ms, "ms", scale, aim=aim, passed=passed)


def measure(scale, growth, clients, admin_email):
    from django.conf import settings

    from bench.reports import psql_copy

    pages = {}
    for who, client in clients.items():
        figures, pages[who] = page_figures(who, client)
        for figure, ms in figures.items():
            growth.page(figure, ms, scale)
    admin, csv_sizes, xlsx_sizes = clients["administrator"], [], []
    csv_seconds, copy_seconds = paired_median_seconds(
        lambda: export(admin, "csv", csv_sizes), psql_copy(settings.DATABASES["default"]), repeat=EXPORT_REPEAT
    )
    completed_rows = table_rows("courses_completion")
    growth.record("psql \\copy of the completed rows", copy_seconds, "s", scale, note=f"{completed_rows:,} rows")
    growth.record(
        "CSV export of the completed rows",
        csv_seconds,
        "s",
        scale,
        floor=f"psql \\copy {copy_seconds:.2f} s",
        note=f"{csv_sizes[-1] / MIB:.1f} MiB",
    )
    growth.record("CSV export / psql \\copy", csv_seconds / copy_seconds, "x", scale)
    rss = export_peak_rss(admin_email)
    figure = "CSV export, peak RSS of its process"
    passed = None
    if scale == SCALES[-1] and (figure, SCALES[0]) in growth.values:
        passed = rss["peak_mib"] - growth.values[figure, SCALES[0]] < RSS_GROWTH_AIM_MIB
    growth.record(
        figure,
        rss["peak_mib"],
        "MiB",
        scale,
        aim=f"grows < {RSS_GROWTH_AIM_MIB} MiB from 10,000 to 1,000,000",
        passed=passed,
        note=f"{rss['peak_mib'] - rss['before_mib']:.1f} MiB above the process before the export",
    )
    xlsx_repeat = EXPORT_REPEAT if scale <= 100_000 else XLSX_REPEAT_ABOVE_100_000
    xlsx_seconds = median_ms(lambda: export(admin, "xlsx", xlsx_sizes), repeat=xlsx_repeat) / 1000
    growth.record(
        "XLSX export of the completed rows",
        xlsx_seconds,
        "s",
        scale,
        note=f"{xlsx_sizes[-1] / MIB:.1f} MiB" + ("" if xlsx_repeat > 1 else ", one run"),
    )
    growth.record(
        "XLSX export / CSV export",
        xlsx_seconds / csv_seconds,
        "x",
        scale,
        aim=f"<= {XLSX_AIM_RATIO}x at 100,000",
        passed=xlsx_seconds / csv_seconds <= XLSX_AIM_RATIO if scale == 100_000 else None,
    )
    return pages


def signed_in_clients(city):
    """An administrator (every unit) and the manager of the first ward, each signed in past the
    second factor as staff are."""
    from accounts.models import ManagerScope
    from tests.accounts.factories import UserFactory
    from tests.conftest import sign_in_past_second_factor

    admin = UserFactory(roles=["Administrators"], email="bench.admin@example.org")
    manager = UserFactory(roles=["Managers"], email="bench.ward.manager@example.org", unit=city.wards[0])
    ManagerScope.objects.create(user=manager, unit=city.wards[0])
    clients = {
        "administrator": sign_in_past_second_factor(Client(), admin),
        "ward manager": sign_in_past_second_factor(Client(), manager),
    }
    return clients, admin.email


def run():
    from django.utils import timezone

    # Without Django's test instrumentation of templates, which copies every template's context
    # and would add about a tenth to each measured page.
    teardown_test_environment()
    scales = [scale for scale in SCALES if scale <= LARGEST] or [LARGEST]
    city, growth, built, now = City(), Growth(), [], timezone.now()
    city.build_courses()
    clients = admin_email = None
    for scale in scales:
        started = time.perf_counter()
        grow(city, scale, now)
        refresh_seconds = refresh_precomputed_figures()
        build_seconds = time.perf_counter() - started
        # A change reaches the unit summary one debounce (30 s) plus this refresh later: "within a minute".
        growth.record(
            "unit figures refresh (all units and courses)",
            refresh_seconds,
            "s",
            scale,
            aim="< 30 s",
            passed=refresh_seconds < 30,
        )
        check_consistent()
        if clients is None:
            # After the first build: the managers are not learners of the city.
            clients, admin_email = signed_in_clients(city)
        counts = {table: table_rows(table) for table in BIG_TABLES}
        print(
            f"{scale:,} learners: {len(city.units) + len(city.wards) + 1:,} units, "
            f"{counts['courses_enrolment']:,} enrolments, {counts['courses_moduleprogress']:,} module-progress rows, "
            f"{counts['courses_completion']:,} completions and certificates; grown in {build_seconds:.0f} s",
            flush=True,
        )
        started = time.perf_counter()
        pages = measure(scale, growth, clients, admin_email)
        built.append((scale, build_seconds, time.perf_counter() - started, pages))
        print(f"  measured in {built[-1][2]:.0f} s", flush=True)

    print(f"\nReport growth on PostgreSQL: {COURSES} courses of {MODULES} modules, 3 enrolments per learner\n")
    print(f"{'learners':>10}  {'grown in':>9}  {'measured in':>11}  pages (administrator, ward manager)")
    for scale, build_seconds, measure_seconds, pages in built:
        print(
            f"{scale:>10,}  {build_seconds:>7.0f} s  {measure_seconds:>9.0f} s  "
            f"{pages['administrator']:,}, {pages['ward manager']:,}"
        )
    print()
    print(results.table(growth.rows))


def main():
    if connection.vendor != "postgresql":
        print("bench.report_growth runs on PostgreSQL only: set DATABASE_URL.")
        return
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DATABASE_NAME
    with throwaway_database():
        run()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--export-peak-rss"]:
        child_export_peak_rss(*sys.argv[2:4])
    else:
        main()
