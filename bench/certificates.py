"""`make bench`: certificates. Rendering one beside WeasyPrint's floor (a one-line page), serving a
stored PDF through the download view, and a ZIP of 1,000 stored PDFs with the memory it takes.

Builds its own data in a throwaway test database (SQLite, or PostgreSQL with DATABASE_URL).
"""

import datetime
import os
import resource
import statistics
import time
import tracemalloc
import warnings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.test import Client  # noqa: E402

from bench.testdb import throwaway_database  # noqa: E402

RENDERS, DOWNLOADS, ZIPPED = 20, 300, 1000


def median_ms(function, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def build_certificates(count):
    """`count` completions of one course, each with its certificate and its own stored PDF."""
    from wagtail.models import Page

    from accounts.models import OrganisationUnit, User
    from certificates import pdf, services
    from certificates.models import Certificate
    from courses.models import Completion, CourseIndexPage, CoursePage, Enrolment

    unit = OrganisationUnit.add_root(code="HN", name="Thành phố Hà Nội", type="city")
    home = Page.get_first_root_node().add_child(title="Trang chủ", slug="trang-chu")
    course = home.add_child(instance=CourseIndexPage(title="Khóa học", slug="courses")).add_child(
        instance=CoursePage(
            title="Tiếp nhận, xác minh và hỗ trợ người bị bạo lực trên cơ sở giới",
            slug="k",
            summary=".",
            objectives="<p>.</p>",
            area=3,
            hours=8,
        )
    )
    users = User.objects.bulk_create(
        User(email=f"cn{n}@example.org", full_name=f"Nguyễn Thị Học Viên {n}", unit=unit, password="!")
        for n in range(count)
    )
    enrolments = Enrolment.objects.bulk_create(Enrolment(user=user, course=course) for user in users)
    today = datetime.date.today()
    completions = Completion.objects.bulk_create(
        Completion(
            enrolment=e,
            user=e.user,
            course=course,
            full_name=e.user.full_name,
            unit_name=unit.name,
            course_title=course.title,
            area=3,
            hours=8,
            completed_on=today,
        )
        for e in enrolments
    )
    certificates = Certificate.objects.bulk_create(
        Certificate(
            completion=c,
            user=c.user,
            course=course,
            year=today.year,
            number=n + 1,
            serial=f"{n + 1:06d}/{today.year}/GCN",
            serial_slug=f"{n + 1:06d}-{today.year}-gcn",
            code=services.new_code(),
            holder_name=c.full_name,
            unit_name=c.unit_name,
            course_title=c.course_title,
            area=3,
            hours=8,
            completed_on=today,
            issued_on=today,
        )
        for n, c in enumerate(completions)
    )
    content = pdf.render_pdf(certificates[0])
    for certificate in certificates:
        certificate.pdf.save("x.pdf", ContentFile(content), save=False)
    Certificate.objects.bulk_update(certificates, ["pdf"])
    return certificates, content


def run():
    from weasyprint import HTML

    from certificates import archive, pdf
    from certificates.models import Certificate

    certificates, content = build_certificates(ZIPPED)
    one = certificates[0]

    hello = lambda: HTML(string="<p>hello</p>").write_pdf(font_config=pdf.font_configuration())  # noqa: E731
    certificate = lambda: pdf.render_pdf(one)  # noqa: E731
    hello(), certificate()  # warm: fonts, templates
    hello_ms, certificate_ms = median_ms(hello, RENDERS), median_ms(certificate, RENDERS)

    client = Client()
    client.force_login(one.user)
    url = one.get_absolute_url()

    def download():
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)

    download()
    download_ms = median_ms(download, DOWNLOADS)

    def build_zip(count):
        chosen = Certificate.objects.order_by("number")[:count]
        return sum(len(chunk) for chunk in archive.zip_stream(chosen, on_finished=lambda count: None))

    rows = []
    for count in (100, ZIPPED):
        start = time.perf_counter()
        size = build_zip(count)
        seconds = time.perf_counter() - start
        tracemalloc.start()
        build_zip(count)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((count, seconds, size, peak))

    print(f"\nCertificates (PDF of {len(content) / 1024:.0f} KiB, {RENDERS} renders, {DOWNLOADS} downloads)\n")
    print(f"{'what':<52} {'median':>10} {'aim':>22}")
    print("-" * 86)
    print(f"{'WeasyPrint floor: a one-line hello page':<52} {hello_ms:8.1f} ms")
    print(
        f"{'render one certificate (A4, fonts, QR)':<52} {certificate_ms:8.1f} ms "
        f"{f'{certificate_ms / hello_ms:.1f}x the floor (<= 8x)':>22}"
    )
    print(f"{'serve a stored PDF through the download view':<52} {download_ms:8.1f} ms {'< 15 ms':>22}")
    print(f"\n{'ZIP of stored PDFs':<20} {'seconds':>8} {'size MiB':>9} {'peak Python alloc':>18}")
    print("-" * 58)
    for count, seconds, size, peak in rows:
        print(f"{count:>6} certificates {seconds:8.2f} {size / 2**20:9.1f} {peak / 2**20:15.2f} MiB")
    print(
        f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        "(aim: the ZIP's peak does not grow with the count)"
    )


def main():
    with throwaway_database():
        run()


if __name__ == "__main__":
    main()
