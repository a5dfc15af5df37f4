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
}


def table_bytes(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
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


def sizing(per_learner_bytes, wave):
    """What the measured figures mean at 10,000 and 1,000,000 officials (assumptions in the docs)."""
    rows = []
    week = 7 * 24 * 3600
    for officials in (10_000, 1_000_000):
        # Five years of the programme: each official takes about 3 courses a year.
        enrolments_per_official = 15
        data = officials * per_learner_bytes * enrolments_per_official / 3  # bench learners hold 3
        certificates = officials * 10  # two of the three yearly courses give one
        pdfs = certificates * wave["pdf_bytes"]
        completions_per_week = 50_000 if officials == 10_000 else 500_000
        busy = completions_per_week * (wave["database_seconds"] + wave["render_seconds"])
        # A wave crowds into the week's last day: a fifth of it in 8 hours.
        peak = completions_per_week / 5 * wave["render_seconds"] / (8 * 3600)
        rows.append(
            (
                f"{officials:,} officials",
                f"{data / 2**30:.1f} GiB",
                f"{pdfs / 2**30:.1f} GiB",
                f"{busy / week * 100:.1f}% of one core",
                f"{max(1, round(peak + 0.5))}",
                f"{completions_per_week * wave['wal_bytes'] / 2**30:.1f} GiB",
            )
        )
    return rows


def run():
    from bench.reports import LEARNERS, build

    started = time.perf_counter()
    build()
    built = time.perf_counter() - started
    sizes = {label: table_bytes(table) for label, table in TABLES.items()}
    whole = database_bytes()
    wave = certificate_wave(WAVE)
    per_learner = whole / LEARNERS

    print(f"\nPostgreSQL, bench.reports' city ({LEARNERS:,} learners, built in {built:.0f} s): space on disk\n")
    print(f"{'what':<34} {'MiB':>9} {'bytes per learner':>18}")
    print("-" * 63)
    for label, size in sizes.items():
        print(f"{label:<34} {size / 2**20:9.1f} {size / LEARNERS:18,.0f}")
    print(f"{'the whole database':<34} {whole / 2**20:9.1f} {per_learner:18,.0f}")
    print(f"\nA certificate wave: {WAVE} learners each finish a {MODULES}-module course (one process)\n")
    print(f"{'what':<58} {'per completion':>16}")
    print("-" * 75)
    print(f"{'database work: enrol, 5 modules, completion, issuance':<58} {wave['database_seconds'] * 1000:13.1f} ms")
    print(f"{'WAL written by that work':<58} {wave['wal_bytes'] / 1024:12.1f} KiB")
    print(f"{'PDF render and store (median, the worker task)':<58} {wave['render_seconds'] * 1000:13.1f} ms")
    print(f"{'PDF size on storage (median)':<58} {wave['pdf_bytes'] / 1024:12.1f} KiB")
    print("\nWhat that means (assumptions in docs/deployment.md, 'The growth path')\n")
    header = ("scale", "database", "PDFs", "a week's wave", "workers at peak", "WAL a week")
    widths = (20, 10, 10, 20, 16, 11)
    print(" ".join(f"{text:<{width}}" for text, width in zip(header, widths, strict=True)))
    print("-" * (sum(widths) + len(widths) - 1))
    for row in sizing(per_learner, wave):
        print(" ".join(f"{text:<{width}}" for text, width in zip(row, widths, strict=True)))


def main():
    if connection.vendor != "postgresql":
        print("bench.growth measures PostgreSQL: set DATABASE_URL (make bench does).")
        return
    with throwaway_database():
        run()


if __name__ == "__main__":
    main()
