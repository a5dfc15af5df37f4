"""`make bench`: the foundation's hot paths at a city's scale, printed as a table.

Builds its own data in a throwaway test database (SQLite, or PostgreSQL with DATABASE_URL):
an organisation tree the size of Hanoi's after the 2025 reform (126 wards and communes with
their units, 30 departments with theirs) and 5,000 learners.
"""

import csv
import io
import os
import statistics
import time
import warnings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from bench.testdb import throwaway_database  # noqa: E402

WARDS, DEPARTMENTS, LEARNERS = 126, 30, 5000


def unit_csv():
    rows = [("code", "name", "parent_code", "type"), ("HN", "Thành phố Hà Nội", "", "city")]
    for d in range(DEPARTMENTS):
        rows.append((f"D{d}", f"Sở số {d}", "HN", "department"))
        rows += [(f"D{d}-U{u}", f"Phòng {u} của Sở số {d}", f"D{d}", "unit") for u in range(5)]
    for w in range(WARDS):
        rows.append((f"W{w}", f"Phường số {w}", "HN", "ward"))
        for kind in ("VHXH", "TYT", "CA", "HPN"):
            rows.append((f"W{w}-{kind}", f"{kind} phường số {w}", f"W{w}", "unit"))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(), len(rows) - 1


def timed(function, repeat=1):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main():
    with throwaway_database():
        run()


def run():
    from accounts.models import ManagerScope, OrganisationUnit, User
    from accounts.scopes import visible_units
    from accounts.unit_import import import_units

    data, unit_count = unit_csv()
    rows = []
    create_ms, _ = timed(lambda: import_units(data))
    rows.append((f"import_units, {unit_count} new units", create_ms, None, None))
    again_ms, _ = timed(lambda: import_units(data))
    rows.append((f"import_units, same file again ({unit_count} unchanged)", again_ms, None, None))

    units = list(OrganisationUnit.objects.filter(depth=3))
    User.objects.bulk_create(
        User(email=f"hv{n}@example.org", full_name=f"Học viên {n}", unit=units[n % len(units)], password="!")
        for n in range(LEARNERS)
    )
    ward_manager = User.objects.create_user(email="ward@example.org", full_name="Quản lý phường")
    ManagerScope.objects.create(user=ward_manager, unit=OrganisationUnit.objects.get(code="W7"))
    city_manager = User.objects.create_user(email="city@example.org", full_name="Quản lý thành phố")
    for code in ("D1", "D2", "W3"):
        ManagerScope.objects.create(user=city_manager, unit=OrganisationUnit.objects.get(code=code))

    for label, manager in (("ward manager, 1 scope", ward_manager), ("manager with 3 scopes", city_manager)):

        def learners_in_scope(manager=manager):
            return User.objects.filter(unit__in=visible_units(manager)).count()

        median, worst = timed(learners_in_scope, repeat=200)
        with_queries = count_queries(learners_in_scope)
        rows.append((f"learners in scope ({label}), {learners_in_scope()} found", median, worst, with_queries))

    make_home_page()
    client = Client()
    for label, path in (
        ("GET /accounts/signup/ (datalist of every unit)", "/accounts/signup/"),
        ("GET /healthz", "/healthz"),
    ):
        client.get(path)
        median, worst = timed(lambda path=path: client.get(path), repeat=50)
        rows.append((label, median, worst, count_queries(lambda path=path: client.get(path))))

    print(f"\nFoundation benchmark on {connection.vendor}: {unit_count} units, {LEARNERS} learners\n")
    print(f"{'what':<66} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    print("-" * 95)
    for label, median, worst, queries in rows:
        worst_text = f"{worst:8.2f}" if worst is not None else f"{'':>8}"
        queries_text = f"{queries:8d}" if queries is not None else f"{'':>8}"
        print(f"{label:<66} {median:10.2f} {worst_text} {queries_text}")


def make_home_page():
    from wagtail.models import Page, Site

    from cms.models import HomePage

    home = Page.get_first_root_node().add_child(instance=HomePage(title="Trang chủ", slug="trang-chu"))
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "testserver", "root_page": home})


def count_queries(function):
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


if __name__ == "__main__":
    main()
