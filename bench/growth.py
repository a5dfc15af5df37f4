"""`make bench`: the figures the growth path in docs/deployment.md is sized from.

On PostgreSQL only (the production database): builds bench.reports' city (100,000 learners,
about 300,000 enrolments, 1,000,000 module-progress rows, 100,000 completions with their
certificates), then measures
- the space each kind of row takes, tables and indexes together, and the bytes per learner;
- a certificate wave as the platform runs it: fresh learners finish a five-module course through
  the same service a learner's click calls (progress, completion, certificate, serial), each
  certificate rendered and stored by the task, with the write-ahead log (WAL) each completion
  makes and the time each step takes in one process;
- the PDF's size on storage.
It prints the measured table, then what they mean for a city and for a country (the arithmetic
is in sizing()).
"""

import math
import os
import statistics
import time
import warnings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.testdb import throwaway_database  # noqa: E402

WAVE = 200  # learners finishing a course in the measured wave
MODULES = 5
TABLES = {
    "learners (accounts_user)": "accounts_user",
    "enrolments": "courses_enrolment",
    "module progress": "courses_moduleprogress",
    "completions": "courses_completion",
    "certificates": "certificates_certificate",
    "quiz attempts": "courses_quizattempt",
}
ATTEMPTS = 100_000  # quiz attempts added to bench.reports' city, one per learner: their size per row


def table_bytes(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


def table_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - TABLES only
        return cursor.fetchone()[0]


def database_bytes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def wal_position():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def wal_bytes_between(start, end):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(%s, %s)", [end, start])
        return int(cursor.fetchone()[0])


def add_quiz_attempts(count):
    """`count` attempts at a 5-question quiz (answers as a learner's form gives them), on the first
    enrolments: bench.reports builds none, and they are a large share of what an official leaves."""
    import uuid

    from courses.models import Enrolment, ModulePage, QuizAttempt

    module = ModulePage.objects.first()
    answers = {str(uuid.uuid4()): [str(uuid.uuid4())] for _ in range(5)}
    enrolments = Enrolment.objects.order_by("pk").values_list("pk", flat=True)[:count]
    QuizAttempt.objects.bulk_create(
        (
            QuizAttempt(enrolment_id=pk, module=module, token=uuid.uuid4(), answers=answers, score=80, passed=True)
            for pk in enrolments
        ),
        batch_size=10_000,
    )
    return QuizAttempt.objects.count()


def certificate_wave(count):
    """`count` new learners each finish a course of MODULES modules; certificates render at once
    (the test settings run the background task immediately), so each step is timed apart."""
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from wagtail.models import Page

    from accounts.models import OrganisationUnit, User
    from certificates import services as certificate_services
    from certificates.models import Certificate, SerialCounter
    from courses import services
    from courses.models import CourseIndexPage, CoursePage, ModulePage

    unit = OrganisationUnit.objects.filter(depth=2).first()
    catalogue = CourseIndexPage.objects.first() or Page.get_first_root_node().add_child(
        instance=CourseIndexPage(title="Khóa học", slug="wave")
    )
    course = catalogue.add_child(
        instance=CoursePage(
            title="Khóa học đợt cấp giấy", slug="wave-course", summary=".", objectives="<p>.</p>", area=3, hours=8
        )
    )
    modules = [course.add_child(instance=ModulePage(title=f"Mô-đun {m}", slug=f"w-{m}")) for m in range(MODULES)]
    learners = User.objects.bulk_create(
        User(email=f"wave{n}@example.org", full_name=f"Học viên đợt {n}", unit=unit, password="!") for n in range(count)
    )
    # bench.reports numbers its certificates itself: the yearly counter goes on from its last.
    year = timezone.localdate().year
    last = Certificate.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0
    SerialCounter.objects.update_or_create(year=year, defaults={"last_number": last})
    # Issue without rendering first, so the WAL and time of the database work are apart from the PDF's.
    render = certificate_services.queue_render
    certificate_services.queue_render = lambda certificate_id: None
    try:
        wal_start, started = wal_position(), time.perf_counter()
        for learner in learners:
            services.enrol(learner, course)
            for module in modules:
                services.mark_module_done(learner, module, course)
        database_seconds = time.perf_counter() - started
        wal = wal_bytes_between(wal_start, wal_position())
    finally:
        certificate_services.queue_render = render
    certificates = list(Certificate.objects.filter(course=course).select_related("user"))
    assert len(certificates) == count, f"{len(certificates)} certificates for {count} completions"
    render_seconds = []
    for certificate in certificates:
        started = time.perf_counter()
        with transaction.atomic():
            certificate_services.store_pdf(certificate)
        render_seconds.append(time.perf_counter() - started)
    pdf_sizes = [certificate.pdf.size for certificate in certificates]
    return {
        "database_seconds": database_seconds / count,
        "wal_bytes": wal / count,
        "render_seconds": statistics.median(render_seconds),
        "pdf_bytes": statistics.median(pdf_sizes),
    }


# What one official leaves over the programme's five years: about 3 courses a year of 5 modules,
# 4 in 5 finished, two of every three giving a certificate, 1.5 quiz attempts a module.
FIVE_YEARS_OF_AN_OFFICIAL = {
    "learners (accounts_user)": 1,
    "enrolments": 15,
    "module progress": 75,
    "completions": 12,
    "certificates": 10,
    "quiz attempts": 110,
}
# Everything else (sessions, the task queue, the export log, Wagtail's tables) and table bloat.
OVERHEAD = 1.25
WAVES = {10_000: 50_000, 1_000_000: 500_000}  # completions in a week's wave


def sizing(bytes_per_row, wave):
    """What the measured figures mean at 10,000 and 1,000,000 officials (assumptions in
    docs/deployment.md, "The growth path")."""
    per_official = OVERHEAD * sum(count * bytes_per_row[label] for label, count in FIVE_YEARS_OF_AN_OFFICIAL.items())
    rows = []
    for officials, completions in WAVES.items():
        # Half of the wave comes on its last day, in 8 working hours; a worker kept 70% busy at most.
        last_day_render = completions / 2 * wave["render_seconds"]
        workers = max(1, math.ceil(last_day_render / (8 * 3600 * 0.7)))
        rows.append(
            (
                f"{officials:,} officials",
                f"{officials * per_official / 2**30:.1f} GiB",
                f"{officials * FIVE_YEARS_OF_AN_OFFICIAL['certificates'] * wave['pdf_bytes'] / 2**30:.1f} GiB",
                f"{completions:,}",
                f"{last_day_render / 3600:.1f} h",
                f"{workers}",
                f"{completions * wave['wal_bytes'] / 2**30:.1f} GiB",
            )
        )
    return per_official, rows


def run():
    from bench.reports import LEARNERS, build

    started = time.perf_counter()
    build()
    attempts = add_quiz_attempts(ATTEMPTS)
    built = time.perf_counter() - started
    sizes = {label: table_bytes(table) for label, table in TABLES.items()}
    rows = {label: table_rows(table) for label, table in TABLES.items()}
    whole = database_bytes()
    wave = certificate_wave(WAVE)
    bytes_per_row = {label: sizes[label] / max(rows[label], 1) for label in TABLES}
    per_official, projections = sizing(bytes_per_row, wave)

    print(
        f"\nPostgreSQL, bench.reports' city ({LEARNERS:,} learners, {attempts:,} quiz attempts, built in {built:.0f} s):"
        " space on disk, tables with their indexes\n"
    )
    print(f"{'what':<26} {'rows':>11} {'MiB':>9} {'bytes a row':>12} {'bytes a learner':>16}")
    print("-" * 78)
    for label, size in sizes.items():
        print(
            f"{label:<26} {rows[label]:11,} {size / 2**20:9.1f} {bytes_per_row[label]:12,.0f} {size / LEARNERS:16,.0f}"
        )
    print(f"{'the whole database':<26} {'':11} {whole / 2**20:9.1f} {'':12} {whole / LEARNERS:16,.0f}")
    print(f"\nA certificate wave: {WAVE} learners each finish a {MODULES}-module course (one process)\n")
    print(f"{'what':<58} {'per completion':>16}")
    print("-" * 75)
    print(f"{'database work: enrol, 5 modules, completion, issuance':<58} {wave['database_seconds'] * 1000:13.1f} ms")
    print(f"{'WAL written by that work':<58} {wave['wal_bytes'] / 1024:12.1f} KiB")
    print(f"{'PDF render and store (median, the worker task)':<58} {wave['render_seconds'] * 1000:13.1f} ms")
    print(f"{'PDF size on storage (median)':<58} {wave['pdf_bytes'] / 1024:12.1f} KiB")
    print(
        f"\nWhat that means: five years of an official ({', '.join(f'{n} {label.split(" (")[0]}' for label, n in FIVE_YEARS_OF_AN_OFFICIAL.items())}),"
        f" x{OVERHEAD} for the rest: {per_official / 1024:.0f} KiB each; half of a week's wave on its last 8-hour day"
        " (docs/deployment.md, 'The growth path')\n"
    )
    header = ("scale", "database", "PDFs", "wave/week", "last day's PDFs", "workers", "WAL of the wave")
    widths = (20, 10, 10, 10, 16, 8, 15)
    print(" ".join(f"{text:<{width}}" for text, width in zip(header, widths, strict=True)))
    print("-" * (sum(widths) + len(widths) - 1))
    for row in projections:
        print(" ".join(f"{text:<{width}}" for text, width in zip(row, widths, strict=True)))


def main():
    if connection.vendor != "postgresql":
        print("bench.growth measures PostgreSQL: set DATABASE_URL (make bench does).")
        return
    with throwaway_database():
        run()


if __name__ == "__main__":
    main()
